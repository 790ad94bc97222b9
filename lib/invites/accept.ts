import { getOrg, type Org } from "../orgs/store";
import type { Services } from "../deps";
import { isVerified } from "../users/email-verification";
import { getUser, normalizeEmail } from "../users/store";
import { acceptInviteRecord, effectiveStatus, findInviteIdByTokenHash, getInvite, type Invite } from "./store";
import { hashInviteToken, isWellFormedToken } from "./token";

/** What /invite/<token> shows. */
export type InviteView =
  /** Not a token we issued (or so old its index entry is gone). */
  | { state: "unknown" }
  /** A real link, replaced by a newer one from a resend. */
  | { state: "superseded"; org: Org | null }
  | { state: "pending" | "expired" | "accepted" | "cancelled"; invite: Invite; org: Org; inviterName: string };

interface Resolved {
  invite: Invite;
  tokenHash: string;
}

async function resolve(services: Services, token: string): Promise<Resolved | "unknown" | { superseded: Invite }> {
  if (!isWellFormedToken(token)) return "unknown";
  const tokenHash = await hashInviteToken(token);
  const inviteId = await findInviteIdByTokenHash(services.redis, tokenHash);
  if (!inviteId) return "unknown";
  const invite = await getInvite(services.redis, inviteId);
  if (!invite) return "unknown";
  if (invite.tokenHash !== tokenHash) return { superseded: invite };
  return { invite, tokenHash };
}

/** Reads an invite by its link's token; never changes anything. */
export async function lookupInvite(services: Services, token: string): Promise<InviteView> {
  const resolved = await resolve(services, token);
  if (resolved === "unknown") return { state: "unknown" };
  if ("superseded" in resolved) return { state: "superseded", org: await getOrg(services.redis, resolved.superseded.orgId) };
  const { invite } = resolved;
  const [org, inviter] = await Promise.all([getOrg(services.redis, invite.orgId), getUser(services.redis, invite.invitedBy)]);
  if (!org) return { state: "unknown" };
  const state = effectiveStatus(invite, services.clock.now()).toLowerCase() as "pending" | "expired" | "accepted" | "cancelled";
  return { state, invite, org, inviterName: inviter?.name ?? "A member" };
}

export type AcceptInviteResult =
  | { ok: true; orgId: string }
  | {
      ok: false;
      reason:
        | "unknown"
        | "superseded"
        | "expired"
        | "cancelled"
        | "already_accepted"
        | "already_member"
        | "wrong_email"
        | "unverified"
        | "no_user";
      orgId?: string;
    };

/**
 * Accepts the invite behind `token` for the signed-in `userId`, whose email
 * must be the invited one. The check-and-flip is one Lua script: of any number
 * of parallel calls with the same token exactly one returns `ok: true`.
 */
export async function acceptInvite(services: Services, input: { token: string; userId: string }): Promise<AcceptInviteResult> {
  const resolved = await resolve(services, input.token);
  if (resolved === "unknown") return { ok: false, reason: "unknown" };
  if ("superseded" in resolved) return { ok: false, reason: "superseded" };
  const { invite, tokenHash } = resolved;
  const user = await getUser(services.redis, input.userId);
  if (!user) return { ok: false, reason: "no_user" };
  // The link was sent to one address; someone it was forwarded to must not join in that person's place.
  if (normalizeEmail(user.email) !== invite.email) return { ok: false, reason: "wrong_email", orgId: invite.orgId };
  // Matching the address is not enough: whoever holds a forwarded link could sign up with it. They must prove they read its mail.
  if (!isVerified(user)) return { ok: false, reason: "unverified", orgId: invite.orgId };

  const answer = await acceptInviteRecord(services.redis, { invite, tokenHash, userId: user.id }, services.clock.now());
  const orgId = invite.orgId;
  switch (answer) {
    case "accepted":
      return { ok: true, orgId };
    case "already_yours":
      return { ok: false, reason: "already_member", orgId };
    case "ACCEPTED":
      return { ok: false, reason: "already_accepted", orgId };
    case "EXPIRED":
      return { ok: false, reason: "expired", orgId };
    case "CANCELLED":
      return { ok: false, reason: "cancelled", orgId };
    case "superseded":
      return { ok: false, reason: "superseded", orgId };
    case "unknown":
      return { ok: false, reason: "unknown" };
  }
}
