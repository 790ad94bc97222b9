import type { StackClock } from "../clock";

/** Resend's documented default for a team: 2 requests per second. */
export const RESEND_RATE_LIMIT_PER_SECOND = 2;
/** The emulator's default, generous so local development never trips it. */
export const DEFAULT_RATE_LIMIT_PER_SECOND = 10;
/**
 * The variable the app paces its email jobs by. `npm run stack` and `npm run dev`
 * limit the look-alike by the same one, so development meets the limit production will.
 */
export const RATE_LIMIT_VARIABLE = "RESEND_RATE_LIMIT_PER_SECOND";

/** `RESEND_RATE_LIMIT_PER_SECOND` as a limit: unset or empty is Resend's default (2); anything but a positive integer throws. */
export function rateLimitFromEnv(value: string | undefined): number {
  if (value === undefined || value.trim() === "") return RESEND_RATE_LIMIT_PER_SECOND;
  const limit = Number(value.trim());
  if (!Number.isInteger(limit) || limit < 1) {
    throw new Error(
      `invalid ${RATE_LIMIT_VARIABLE} ${JSON.stringify(value)}: want a whole number of requests per second, at least 1`,
    );
  }
  return limit;
}

const WINDOW_MS = 1_000;

export interface RateLimitDecision {
  allowed: boolean;
  /** Values for the `ratelimit-*` and `retry-after` response headers. */
  headers: Record<string, string>;
}

/** Fixed one-second windows per API key, timed by the emulator clock. */
export class RateLimiter {
  readonly #windows = new Map<string, { startMs: number; count: number }>();

  constructor(
    private readonly clock: StackClock,
    private readonly limitPerSecond: number,
  ) {
    if (!Number.isInteger(limitPerSecond) || limitPerSecond < 1) {
      throw new Error(`rateLimitPerSecond must be a positive integer, got ${limitPerSecond}`);
    }
  }

  take(apiKey: string): RateLimitDecision {
    const now = this.clock.now();
    const startMs = Math.floor(now / WINDOW_MS) * WINDOW_MS;
    if (this.#windows.size > 1_000) {
      for (const [key, old] of this.#windows) if (old.startMs !== startMs) this.#windows.delete(key);
    }
    let window = this.#windows.get(apiKey);
    if (!window || window.startMs !== startMs) {
      window = { startMs, count: 0 };
      this.#windows.set(apiKey, window);
    }
    const allowed = window.count < this.limitPerSecond;
    if (allowed) window.count += 1;
    const resetSeconds = Math.max(1, Math.ceil((startMs + WINDOW_MS - now) / 1_000));
    const headers: Record<string, string> = {
      "ratelimit-limit": String(this.limitPerSecond),
      "ratelimit-remaining": String(this.limitPerSecond - window.count),
      "ratelimit-reset": String(resetSeconds),
    };
    if (!allowed) headers["retry-after"] = String(resetSeconds);
    return { allowed, headers };
  }

  clear(): void {
    this.#windows.clear();
  }
}
