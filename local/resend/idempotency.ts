import type { StackClock } from "../clock";
import { ResendApiError } from "./errors";

/**
 * Idempotency-Key semantics of `POST /emails` and `POST /emails/batch`:
 * a key seen with the same request within 24 h replays the original answer;
 * with a different request it is a 409; while the first request is still
 * running it is a 409 the caller may retry. Only successful answers are kept,
 * so a request that failed (validation, an injected fault) frees its key.
 */

/** How long a key is remembered. */
const IDEMPOTENCY_RETENTION_MS = 24 * 60 * 60 * 1000;
const MAX_KEY_LENGTH = 256;

interface StoredResponse {
  status: number;
  body: unknown;
}

interface Entry {
  fingerprint: string;
  response: StoredResponse | null;
  expiresAtMs: number;
}

/** The key from the header, or null when absent; throws on a bad length. */
export function readIdempotencyKey(header: string | string[] | undefined): string | null {
  if (header === undefined) return null;
  const key = Array.isArray(header) ? header.join(",") : header;
  if (key.length < 1 || key.length > MAX_KEY_LENGTH) {
    throw new ResendApiError(400, "invalid_idempotency_key", `The key must be between 1-${MAX_KEY_LENGTH} chars.`);
  }
  return key;
}

/** JSON with object keys sorted at every level, so key order never changes a fingerprint. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

export type Claim =
  | { kind: "replay"; response: StoredResponse }
  | { kind: "claimed"; complete(response: StoredResponse): void; release(): void };

export class IdempotencyStore {
  readonly #entries = new Map<string, Entry>();

  constructor(private readonly clock: StackClock) {}

  /**
   * Claims `key` within `scope` (the API key) for a request with `fingerprint`.
   * @throws ResendApiError 409 on a mismatch or while the key is in flight
   */
  claim(scope: string, key: string, fingerprint: string): Claim {
    const now = this.clock.now();
    this.#prune(now);
    const id = `${scope}\n${key}`;
    const existing = this.#entries.get(id);
    if (existing) {
      if (existing.fingerprint !== fingerprint) {
        throw new ResendApiError(
          409,
          "invalid_idempotent_request",
          "Same idempotency key used with a different request payload. Change your idempotency key or payload.",
        );
      }
      if (existing.response === null) {
        throw new ResendApiError(
          409,
          "concurrent_idempotent_requests",
          "Same idempotency key used while original request is still in progress. Try the request again later.",
        );
      }
      return { kind: "replay", response: existing.response };
    }
    const entry: Entry = { fingerprint, response: null, expiresAtMs: now + IDEMPOTENCY_RETENTION_MS };
    this.#entries.set(id, entry);
    return {
      kind: "claimed",
      complete: (response) => {
        entry.response = response;
        entry.expiresAtMs = this.clock.now() + IDEMPOTENCY_RETENTION_MS;
      },
      release: () => {
        if (this.#entries.get(id) === entry) this.#entries.delete(id);
      },
    };
  }

  clear(): void {
    this.#entries.clear();
  }

  #prune(nowMs: number): void {
    for (const [id, entry] of this.#entries) {
      if (entry.response !== null && entry.expiresAtMs <= nowMs) this.#entries.delete(id);
    }
  }
}
