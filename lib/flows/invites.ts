import { z } from "zod";
import { sendInviteEmail } from "../jobs/send-invite-email";
import { isMember, type Org, randomHex } from "../orgs/store";
import { fail, loadOwnedOrg, type ManageFailure } from "../invites/ownership";
import type { Services } from "../deps";
import { isVerified } from "../users/email-verification";
import { findUserIdByEmail, getUser, normalizeEmail } from "../users/store";
import {
  cancelInviteRecord,
  getInvite,
  insertInvite,
  INVITE_TTL_MS,
  removeInvite,
  rotateInviteToken,
  type Invite,
} from "../invites/store";
import { createInviteLimiter, inviteLimitMessage, MAX_INVITE_RESENDS, type InviteLimiter } from "../invites/limits";
import { acceptUrl, generateInviteToken, hashInviteToken } from "../invites/token";
import { log } from "../job-runtime";

const inviteFormSchema = z.object({
  email: z
    .string()
    .trim()
    .max(254)
    .pipe(z.email("Enter a valid email address"))
    .transform((email) => normalizeEmail(email)),
});

export type CreateInviteResult = { ok: true; invite: Invite; messageId: string } | ManageFailure;
export type ResendInviteResult = { ok: true; generation: number; messageId: string } | ManageFailure;
export type CancelInviteResult = { ok: true } | ManageFailure;

function newInviteId(): string {
  return `inv_${randomHex(16)}`;
}

/**
 * Invites `input.email` to the org: stores a PENDING invite holding only the
 * token's hash, then queues the email with the link. If queueing fails the
 * invite is removed again, so the owner can simply retry.
 */
export async function createInvite(
  services: Services,
  input: { orgId: string; actorUserId: string; email: unknown },
  limiter: InviteLimiter = createInviteLimiter(services.redis),
): Promise<CreateInviteResult> {
  const parsed = inviteFormSchema.safeParse({ email: input.email });
  if (!parsed.success) return fail("invalid", parsed.error.issues[0]?.message ?? "Enter a valid email address");
  const { email } = parsed.data;
  const owned = await loadOwnedOrg(services, input.orgId, input.actorUserId);
  if (!owned.ok) return owned;
  const { org } = owned;
  const unverified = await requireVerifiedInviter(services, input.actorUserId);
  if (unverified) return unverified;

  const existingUserId = await findUserIdByEmail(services.redis, email);
  if (existingUserId && (await isMember(services.redis, org.id, existingUserId))) {
    return fail("already_member", `${email} is already a member.`);
  }

  const nowMs = services.clock.now();
  const gate = await limiter.attempt({ inviterId: input.actorUserId, orgId: org.id, email }, nowMs);
  if (!gate.allowed) return fail("rate_limited", inviteLimitMessage(gate));
  const token = generateInviteToken();
  const invite: Invite = {
    id: newInviteId(),
    orgId: org.id,
    email,
    invitedBy: input.actorUserId,
    status: "PENDING",
    tokenHash: await hashInviteToken(token),
    generation: 1,
    createdAt: nowMs,
    sentAt: nowMs,
    expiresAt: nowMs + INVITE_TTL_MS,
  };
  const inserted = await insertInvite(services.redis, invite, nowMs);
  if (inserted.state === "exists") {
    return fail("already_invited", `${email} already has a pending invite. Resend it from the list below.`);
  }

  try {
    const { messageId } = await enqueueEmail(services, org, invite, token);
    return { ok: true, invite, messageId };
  } catch (error) {
    log.error("invite_email_not_queued", { job: "send-invite-email", error });
    await removeInvite(services.redis, invite);
    return fail("unavailable", "We couldn't send the invite right now. Please try again.");
  }
}

/** New token (the old link stops working), new 7-day expiry, and a new email under a new idempotency key. */
export async function resendInvite(
  services: Services,
  input: { orgId: string; actorUserId: string; inviteId: string },
  limiter: InviteLimiter = createInviteLimiter(services.redis),
): Promise<ResendInviteResult> {
  const owned = await loadOwnedOrg(services, input.orgId, input.actorUserId);
  if (!owned.ok) return owned;
  const invite = await getInvite(services.redis, input.inviteId);
  if (!invite || invite.orgId !== owned.org.id) return fail("not_found", "This invite doesn't exist.");
  if (invite.generation > MAX_INVITE_RESENDS) return resendLimit();
  const unverified = await requireVerifiedInviter(services, input.actorUserId);
  if (unverified) return unverified;

  const nowMs = services.clock.now();
  const gate = await limiter.attempt({ inviterId: input.actorUserId, orgId: owned.org.id, email: invite.email }, nowMs);
  if (!gate.allowed) return fail("rate_limited", inviteLimitMessage(gate));
  const token = generateInviteToken();
  const next = { tokenHash: await hashInviteToken(token), expiresAt: nowMs + INVITE_TTL_MS };
  const rotated = await rotateInviteToken(services.redis, invite, next, nowMs, MAX_INVITE_RESENDS);
  if (rotated.state === "unknown") return fail("not_found", "This invite doesn't exist.");
  if (rotated.state === "conflict") return fail("conflict", `${invite.email} has a newer pending invite.`);
  if (rotated.state === "resend_limit") return resendLimit();
  if (rotated.state === "final") return fail("not_pending", `This invite was already ${rotated.status.toLowerCase()}.`);

  try {
    const { messageId } = await enqueueEmail(services, owned.org, { ...invite, ...next, generation: rotated.generation }, token);
    return { ok: true, generation: rotated.generation, messageId };
  } catch (error) {
    // The new token is already live but nobody has it; resending again issues another one.
    log.error("invite_email_not_queued", { job: "send-invite-email", resend: true, error });
    return fail("unavailable", "We couldn't send the invite right now. Please try again.");
  }
}

/** Invites go out under our sender: only someone who proved their own address may send them. */
async function requireVerifiedInviter(services: Services, userId: string): Promise<ManageFailure | null> {
  const inviter = await getUser(services.redis, userId);
  if (inviter && isVerified(inviter)) return null;
  return fail(
    "unverified",
    "Confirm your email address before inviting people: use the link we emailed you, or send a new one from the banner.",
  );
}

const resendLimit = () =>
  fail(
    "resend_limit",
    `An invite can be resent ${MAX_INVITE_RESENDS} times. Cancel it and invite again if the address is right.`,
  );

export async function cancelInvite(
  services: Services,
  input: { orgId: string; actorUserId: string; inviteId: string },
): Promise<CancelInviteResult> {
  const owned = await loadOwnedOrg(services, input.orgId, input.actorUserId);
  if (!owned.ok) return owned;
  const invite = await getInvite(services.redis, input.inviteId);
  if (!invite || invite.orgId !== owned.org.id) return fail("not_found", "This invite doesn't exist.");
  const result = await cancelInviteRecord(services.redis, invite, services.clock.now());
  if (result.state === "unknown") return fail("not_found", "This invite doesn't exist.");
  if (result.state === "final") return fail("not_pending", `This invite was already ${result.status.toLowerCase()}.`);
  return { ok: true };
}

async function enqueueEmail(
  services: Services,
  org: Org,
  invite: Pick<Invite, "id" | "orgId" | "email" | "invitedBy" | "generation" | "expiresAt">,
  token: string,
) {
  const inviter = await getUser(services.redis, invite.invitedBy);
  return services.queue.enqueue(sendInviteEmail, {
    inviteId: invite.id,
    orgId: org.id,
    generation: invite.generation,
    email: invite.email,
    invitedBy: invite.invitedBy,
    orgName: org.name,
    inviterName: inviter?.name || "A member",
    acceptUrl: acceptUrl(services.env.APP_URL, token),
    expiresAt: invite.expiresAt,
  });
}
