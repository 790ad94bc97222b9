/**
 * Switchable failures for `POST /emails` and `POST /emails/batch`, so a caller's
 * retry, timeout and idempotency handling can be tested without the real API.
 *
 * Which sends fail: the next `failNext` ones if set (exactly that many);
 * otherwise each with probability `errorRate` if set (drawn from the injected
 * random source); otherwise every send, when a failure mode (`status`, `hang`,
 * `closeConnection`) is set. How they fail: `hang` (no answer until faults are
 * cleared or the server closes), else `closeConnection` (socket closed, no
 * answer), else an error answer with `status` (default 500). `latencyMs` delays
 * every send, failing or not. Only sends that passed auth, rate limiting and
 * validation count.
 */
export interface FaultConfig {
  /** Probability in [0, 1] that a send fails. */
  errorRate?: number;
  /** HTTP status of an injected error answer. @default 500 */
  status?: number;
  /** Fail exactly the next n sends, then behave normally. */
  failNext?: number;
  /** Delay each send by this many milliseconds of emulator-clock time. */
  latencyMs?: number;
  /** Failing sends never get an answer. */
  hang?: boolean;
  /** Failing sends get their connection closed without an answer. */
  closeConnection?: boolean;
}

export type Failure = { kind: "hang" } | { kind: "close" } | { kind: "status"; status: number };

/** Emitted as the server's "fault" event whenever a fault is applied to a send. */
export type FaultEvent = { kind: "latency"; latencyMs: number } | Failure;

const KEYS = new Set(["errorRate", "status", "failNext", "latencyMs", "hang", "closeConnection"]);

/** Checks a `POST /__faults` body; throws with a readable message. */
export function parseFaultConfig(input: unknown): FaultConfig {
  if (typeof input !== "object" || input === null || Array.isArray(input)) throw new Error("body must be a JSON object");
  const config = input as Record<string, unknown>;
  for (const key of Object.keys(config)) if (!KEYS.has(key)) throw new Error(`unknown fault "${key}"`);
  const { errorRate, status, failNext, latencyMs, hang, closeConnection } = config;
  if (errorRate !== undefined && (typeof errorRate !== "number" || !(errorRate >= 0 && errorRate <= 1))) {
    throw new Error("errorRate must be a number from 0 to 1");
  }
  if (status !== undefined && (!Number.isInteger(status) || (status as number) < 400 || (status as number) > 599)) {
    throw new Error("status must be an HTTP error status (400-599)");
  }
  for (const [name, value] of [
    ["failNext", failNext],
    ["latencyMs", latencyMs],
  ] as const) {
    if (value !== undefined && (!Number.isInteger(value) || (value as number) < 0)) {
      throw new Error(`${name} must be a non-negative integer`);
    }
  }
  for (const [name, value] of [
    ["hang", hang],
    ["closeConnection", closeConnection],
  ] as const) {
    if (value !== undefined && typeof value !== "boolean") throw new Error(`${name} must be a boolean`);
  }
  return config as FaultConfig;
}

export class FaultController {
  #config: FaultConfig = {};
  readonly #hung = new Set<() => void>();

  constructor(private readonly random: () => number = Math.random) {}

  /** Replaces the active faults (validated like `POST /__faults`). */
  set(config: FaultConfig): void {
    this.#config = { ...parseFaultConfig(config) };
  }

  /** Removes every fault and ends hung requests by closing their connections. */
  clear(): void {
    this.#config = {};
    this.releaseHung();
  }

  /** The active faults, with `failNext` counting down. */
  get(): FaultConfig {
    return { ...this.#config };
  }

  latencyMs(): number {
    return this.#config.latencyMs ?? 0;
  }

  /** Decides whether the current send fails, and how; consumes one `failNext`. */
  nextFailure(): Failure | null {
    const config = this.#config;
    let fails: boolean;
    if (config.failNext !== undefined && config.failNext > 0) {
      config.failNext -= 1;
      fails = true;
    } else if (config.errorRate !== undefined) {
      fails = this.random() < config.errorRate;
    } else {
      fails =
        config.failNext === undefined && (config.status !== undefined || config.hang === true || config.closeConnection === true);
    }
    if (!fails) return null;
    if (config.hang) return { kind: "hang" };
    if (config.closeConnection) return { kind: "close" };
    return { kind: "status", status: config.status ?? 500 };
  }

  /** Keeps `release` until faults are cleared; returns a function that forgets it. */
  hold(release: () => void): () => void {
    this.#hung.add(release);
    return () => this.#hung.delete(release);
  }

  releaseHung(): void {
    const releases = [...this.#hung];
    this.#hung.clear();
    for (const release of releases) release();
  }
}
