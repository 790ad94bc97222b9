/**
 * An outage window the local services can switch on: for `durationMs` (or until
 * cleared) a share of requests either gets an HTTP error answer or has its
 * connection dropped without any answer. The QStash publish API and the Redis
 * REST server share this, so "down" means the same thing for both.
 *
 * Why a dropped connection and not a closed port: the control routes that end
 * the outage live on the same port. To the client both look alike: no HTTP
 * answer at all, just a network error, which is what a real outage produces.
 */
import type { ServerResponse } from "node:http";

type OutageMode = "error" | "refuse";

export interface OutageConfig {
  /** "error" answers with `status`; "refuse" drops the connection unanswered. */
  mode: OutageMode;
  /** HTTP status for "error". @default 503 */
  status?: number;
  /** Length of the window from when it is set, ms of the service's clock; absent = until cleared. */
  durationMs?: number;
  /** Share of requests inside the window that fail, in [0, 1]. @default 1 */
  rate?: number;
}

/** An active outage, with the time it ends. */
export interface ActiveOutage extends OutageConfig {
  startedAt: number;
  endsAt?: number;
}

export type OutageFailure = { kind: "refuse" } | { kind: "status"; status: number };

/** Checks an outage body from a control request; throws with a readable message. */
export function parseOutageConfig(input: unknown, what = "outage"): OutageConfig {
  if (typeof input !== "object" || input === null || Array.isArray(input)) throw new Error(`${what} must be a JSON object`);
  const config = input as Record<string, unknown>;
  for (const key of Object.keys(config)) {
    if (!["mode", "status", "durationMs", "rate"].includes(key)) throw new Error(`unknown ${what} field "${key}"`);
  }
  const { mode, status, durationMs, rate } = config;
  if (mode !== "error" && mode !== "refuse") throw new Error(`${what}.mode must be "error" or "refuse"`);
  if (status !== undefined && (!Number.isInteger(status) || (status as number) < 500 || (status as number) > 599)) {
    throw new Error(`${what}.status must be a 5xx status`);
  }
  if (durationMs !== undefined && (!Number.isInteger(durationMs) || (durationMs as number) <= 0)) {
    throw new Error(`${what}.durationMs must be a positive integer`);
  }
  if (rate !== undefined && (typeof rate !== "number" || !(rate >= 0 && rate <= 1)))
    throw new Error(`${what}.rate must be a number from 0 to 1`);
  return config as unknown as OutageConfig;
}

/** Holds at most one outage window and decides, request by request, whether it applies. */
export class OutageSwitch {
  #active: ActiveOutage | undefined;
  /** Requests this switch failed, by how; counts what was injected, not what was configured. */
  readonly injected = { errors: 0, refused: 0, windows: 0 };

  constructor(
    private readonly now: () => number,
    private readonly random: () => number = Math.random,
  ) {}

  start(config: OutageConfig): ActiveOutage {
    const startedAt = this.now();
    this.#active = { ...config, startedAt, ...(config.durationMs !== undefined && { endsAt: startedAt + config.durationMs }) };
    this.injected.windows += 1;
    return { ...this.#active };
  }

  stop(): void {
    this.#active = undefined;
  }

  /** The window in force now, if any (an expired one is forgotten). */
  current(): ActiveOutage | undefined {
    if (this.#active?.endsAt !== undefined && this.now() >= this.#active.endsAt) this.#active = undefined;
    return this.#active ? { ...this.#active } : undefined;
  }

  /** Whether this request fails, and how; counted when it does. */
  nextFailure(): OutageFailure | null {
    const active = this.current();
    if (!active) return null;
    if (active.rate !== undefined && this.random() >= active.rate) return null;
    if (active.mode === "refuse") {
      this.injected.refused += 1;
      return { kind: "refuse" };
    }
    this.injected.errors += 1;
    return { kind: "status", status: active.status ?? 503 };
  }

  reset(): void {
    this.#active = undefined;
    this.injected.errors = 0;
    this.injected.refused = 0;
    this.injected.windows = 0;
  }
}

/** Carries out a failure on a response: a JSON error answer, or the socket destroyed unanswered. */
export function applyOutageFailure(res: ServerResponse, failure: OutageFailure, message: string): void {
  if (failure.kind === "refuse") {
    res.socket?.destroy();
    res.destroy();
    return;
  }
  const text = JSON.stringify({ error: message });
  res.writeHead(failure.status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}
