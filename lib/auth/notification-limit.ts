import { Ratelimit } from "@upstash/ratelimit";
import { RetryableError, type Redis } from "../job-runtime";

/** At most this many sign-in notifications per user per window. */
const SIGN_IN_NOTIFICATION_LIMIT = 10;
const SIGN_IN_NOTIFICATION_WINDOW = "1 h";
const SIGN_IN_NOTIFICATION_PREFIX = "ratelimit:sign-in-notification";
/** Remembers that an event was already let through, so a retry of the same email doesn't count twice. */
const ALLOWED_TTL_SECONDS = 24 * 60 * 60;
const allowedEventKey = (eventId: string) => `${SIGN_IN_NOTIFICATION_PREFIX}:allowed:${eventId}`;

/** What `Ratelimit#limit` answers (the package does not export the type). */
export type RatelimitResponse = Awaited<ReturnType<Ratelimit["limit"]>>;

export type LimitDecision = { allowed: true } | { allowed: false; resetAt: number };

export interface NotificationLimiter {
  /** Counts one notification for `userId`, unless `eventId` was already let through. */
  check(userId: string, eventId: string): Promise<LimitDecision>;
}

/**
 * Reads a ratelimit answer strictly. With `timeout: 0` a Redis failure throws
 * (and the job is retried); this also refuses the answers that did not come
 * from Redis: "timeout" reports `success: true` without counting anything, and
 * must not pass for a real allowance.
 */
export function decide(response: Pick<RatelimitResponse, "success" | "reason" | "reset">): LimitDecision {
  if (response.reason === "timeout") {
    throw new RetryableError("sign-in notification rate limit could not be checked (Redis timed out)", 5);
  }
  if (response.success) return { allowed: true };
  return { allowed: false, resetAt: response.reset };
}

/**
 * `@upstash/ratelimit` sliding window in `services.redis`. It reads time with
 * `Date.now()` internally (it has no clock option): window edges follow the
 * wall clock, not `services.clock`. That only moves edges by the skew between
 * app servers, well inside a one-hour window.
 */
export function createRedisNotificationLimiter(redis: Redis): NotificationLimiter {
  const ratelimit = new Ratelimit({
    redis,
    limiter: Ratelimit.slidingWindow(SIGN_IN_NOTIFICATION_LIMIT, SIGN_IN_NOTIFICATION_WINDOW),
    prefix: SIGN_IN_NOTIFICATION_PREFIX,
    // No fail-open fallback: an unreachable Redis throws instead of answering "success".
    timeout: 0,
    // Every check reaches Redis; an in-memory block list would outlive a manual reset.
    ephemeralCache: false,
    analytics: false,
  });
  return {
    async check(userId, eventId) {
      if ((await redis.get(allowedEventKey(eventId))) !== null) return { allowed: true };
      const decision = decide(await ratelimit.limit(userId));
      if (decision.allowed) await redis.set(allowedEventKey(eventId), 1, { ex: ALLOWED_TTL_SECONDS });
      return decision;
    },
  };
}
