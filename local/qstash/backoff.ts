import { parseRetryAfterMs } from "./duration";
import { compileRetryDelay } from "./retry-expression";

/** Response headers a destination can use to say when to come back, in QStash's order of preference. */
const RETRY_AFTER_HEADERS = [
  "retry-after",
  "x-ratelimit-reset",
  "x-ratelimit-reset-requests",
  "x-ratelimit-reset-tokens",
] as const;

const MAX_DEFAULT_DELAY_SECONDS = 86_400;

/** QStash's default wait before retry number `n` (1-based): min(1 day, e^(2.5n)) seconds. */
export function defaultRetryDelayMs(n: number): number {
  return Math.round(Math.min(MAX_DEFAULT_DELAY_SECONDS, Math.exp(2.5 * n)) * 1_000);
}

export interface RetryDelayInput {
  /** Retries made so far including this one, starting at 1. */
  retryNumber: number;
  /** The failed attempt's response headers (lower-case names), if it got a response. */
  responseHeaders?: Record<string, string[]>;
  /** The message's `Upstash-Retry-Delay`, if set. */
  retryDelayExpression?: string;
  /** Multiplies only the default ladder, so a dev server can shrink it while keeping its shape. @default 1 */
  retryScale?: number;
  nowMs: number;
}

/**
 * Milliseconds to wait before the next attempt. The first rule that applies
 * wins: the destination's own hint, then the message's expression, then the
 * default ladder.
 */
export function retryDelayMs(input: RetryDelayInput): number {
  for (const name of RETRY_AFTER_HEADERS) {
    const value = input.responseHeaders?.[name]?.[0];
    if (value === undefined) continue;
    const waitMs = parseRetryAfterMs(value, input.nowMs);
    if (waitMs !== null) return waitMs;
  }
  if (input.retryDelayExpression) {
    const value = compileRetryDelay(input.retryDelayExpression)(input.retryNumber - 1);
    // NaN or a negative result (e.g. `retried - 5`) means "no wait" rather than a crash or time travel.
    return Number.isFinite(value) ? Math.max(0, Math.round(value)) : 0;
  }
  return Math.round(defaultRetryDelayMs(input.retryNumber) * (input.retryScale ?? 1));
}
