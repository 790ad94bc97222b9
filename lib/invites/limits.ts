import { Ratelimit } from "@upstash/ratelimit";
import type { Redis } from "@upstash/redis";

/**
 * Invite emails go out under our sender to any address a user types, so they
 * are limited three ways, per rolling 24 hours (creates and resends alike):
 *
 * - per organisation, 20: a team onboarding its people in a day fits; a
 *   spammer's org sends 20 emails, not thousands;
 * - per inviter, 30 across all their orgs: creating more orgs doesn't
 *   multiply the first limit;
 * - per recipient address, 3 across every org: one victim can't be flooded by
 *   many throwaway orgs; an invite plus two resends fit.
 *
 * And each invite can be resent at most MAX_INVITE_RESENDS times over its life.
 */
export const INVITES_PER_INVITER = 30;
export const INVITES_PER_ORG = 20;
export const INVITES_PER_RECIPIENT = 3;
const INVITE_LIMIT_WINDOW = "24 h";
export const MAX_INVITE_RESENDS = 3;
const INVITE_LIMIT_PREFIX = "ratelimit:invite";

export type InviteGate = { allowed: true } | { allowed: false; limit: "inviter" | "org" | "recipient"; retryAfterMs: number };

export interface InviteLimiter {
  /** Counts one invite email from `inviterId` in `orgId` to `email`; refuses once any limit is reached. */
  attempt(input: { inviterId: string; orgId: string; email: string }, nowMs: number): Promise<InviteGate>;
}

export function createInviteLimiter(redis: Redis): InviteLimiter {
  const make = (limit: number, scope: string) =>
    new Ratelimit({
      redis,
      limiter: Ratelimit.slidingWindow(limit, INVITE_LIMIT_WINDOW),
      prefix: `${INVITE_LIMIT_PREFIX}:${scope}`,
      timeout: 0,
      ephemeralCache: false,
      analytics: false,
    });
  const limiters = {
    inviter: make(INVITES_PER_INVITER, "inviter"),
    org: make(INVITES_PER_ORG, "org"),
    recipient: make(INVITES_PER_RECIPIENT, "recipient"),
  };
  return {
    async attempt({ inviterId, orgId, email }, nowMs) {
      // One at a time, so a refusal by the first limit doesn't use up the others.
      for (const [limit, id] of [
        ["inviter", inviterId],
        ["org", orgId],
        ["recipient", email],
      ] as const) {
        const answer = await limiters[limit].limit(id);
        if (answer.reason === "timeout") throw new Error("invite rate limit could not be checked (Redis timed out)");
        if (!answer.success) return { allowed: false, limit, retryAfterMs: Math.max(0, answer.reset - nowMs) };
      }
      return { allowed: true };
    },
  };
}

export function inviteLimitMessage(gate: Extract<InviteGate, { allowed: false }>): string {
  const hours = Math.max(1, Math.ceil(gate.retryAfterMs / 3_600_000));
  const wait = `Try again in ${hours} hour${hours === 1 ? "" : "s"}.`;
  switch (gate.limit) {
    case "inviter":
      return `You've sent ${INVITES_PER_INVITER} invites in the last 24 hours, the most we allow. ${wait}`;
    case "org":
      return `This organisation has sent ${INVITES_PER_ORG} invites in the last 24 hours, the most we allow. ${wait}`;
    case "recipient":
      return `That address has received ${INVITES_PER_RECIPIENT} invites in the last 24 hours, the most we allow. ${wait}`;
  }
}
