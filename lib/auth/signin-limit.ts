import { Ratelimit } from "@upstash/ratelimit";
import type { Redis } from "@upstash/redis";
import { normalizeEmail } from "../users/store";

/**
 * Password guessing limits, in Redis so every app instance shares them.
 *
 * Per account: 5 attempts per 15 minutes for one address, known or not (a
 * lockout that only real accounts got would tell which addresses exist).
 * A correct password clears the account's count, so the limit costs a real
 * user nothing unless someone is guessing at their address.
 * Per IP: 30 attempts per 15 minutes from one client address, which stops one
 * machine from trying a few passwords on many accounts; roomy enough for an
 * office behind one NAT. A success does not clear it (an attacker with an
 * account of their own could otherwise reset it between guesses). When the
 * address is unknown (no proxy header) only the account limit applies: one
 * shared "unknown" bucket would let anyone lock everybody out.
 *
 * Every attempt is counted before the password is checked, so a burst of
 * parallel guesses can't all slip in before the first failure is recorded.
 */
export const SIGN_IN_ACCOUNT_LIMIT = 5;
export const SIGN_IN_IP_LIMIT = 30;
const SIGN_IN_WINDOW = "15 m";
const SIGN_IN_LIMIT_PREFIX = "ratelimit:sign-in";

type SignInGate = { allowed: true } | { allowed: false; retryAfterMs: number };

export interface SignInLimiter {
  /** Counts one attempt for the address and the client IP; refuses once either is over its limit. */
  attempt(input: { email: string; ip: string | null }, nowMs: number): Promise<SignInGate>;
  /** The password was right: the address starts afresh. */
  succeeded(email: string): Promise<void>;
}

export function createSignInLimiter(redis: Redis): SignInLimiter {
  const common = {
    redis,
    // No fail-open fallback and no in-memory cache: a limit that silently stops counting is no limit.
    timeout: 0,
    ephemeralCache: false as const,
    analytics: false,
  };
  const perAccount = new Ratelimit({
    ...common,
    limiter: Ratelimit.slidingWindow(SIGN_IN_ACCOUNT_LIMIT, SIGN_IN_WINDOW),
    prefix: `${SIGN_IN_LIMIT_PREFIX}:account`,
  });
  const perIp = new Ratelimit({
    ...common,
    limiter: Ratelimit.slidingWindow(SIGN_IN_IP_LIMIT, SIGN_IN_WINDOW),
    prefix: `${SIGN_IN_LIMIT_PREFIX}:ip`,
  });
  return {
    async attempt({ email, ip }, nowMs) {
      const [account, client] = await Promise.all([
        perAccount.limit(normalizeEmail(email)),
        ip ? perIp.limit(ip) : Promise.resolve({ success: true, reset: 0, reason: undefined }),
      ]);
      for (const answer of [account, client]) {
        if (answer.reason === "timeout") throw new Error("sign-in rate limit could not be checked (Redis timed out)");
      }
      if (account.success && client.success) return { allowed: true };
      const resetAt = Math.max(account.success ? 0 : account.reset, client.success ? 0 : client.reset);
      return { allowed: false, retryAfterMs: Math.max(0, resetAt - nowMs) };
    },
    async succeeded(email) {
      await perAccount.resetUsedTokens(normalizeEmail(email));
    },
  };
}

/** "Too many attempts. Try again in 12 minutes." Rounded up, never "0 minutes". */
export function tooManyAttemptsMessage(retryAfterMs: number): string {
  const minutes = Math.max(1, Math.ceil(retryAfterMs / 60_000));
  return `Too many sign-in attempts. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`;
}
