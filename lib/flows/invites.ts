import * as z from "zod/mini";
import { durableQueue } from "../jobs/outbox";
import { sendInviteEmail } from "../jobs/send-invite-email";
import { isMember, type Org, randomHex } from "../orgs/store";
import { fail, loadOwnedOrg, type ManageFailure } from "../invites/ownership";
import type { Services } from "../deps";
import { isVerified } from "../users/email-verification";
import { findUserIdByEmail, getUser, normalizeEmail } from "../users/store";
import { cancelInviteRecord, getInvite, insertInvite, INVITE_TTL_MS, rotateInviteToken, type Invite } from "../invites/store";
import { createInviteLimiter, inviteLimitMessage, MAX_INVITE_RESENDS, type InviteLimiter } from "../invites/limits";
import { acceptUrl, generateInviteToken, hashInviteToken } from "../invites/token";

const inviteFormSchema = z.object({
  email: z.pipe(
    z.pipe(z.string().check(z.trim(), z.maxLength(254)), z.email("Enter a valid email address")),
    z.transform((email) => normalizeEmail(email)),
  ),
});

/**
 * `messageId` is the email's QStash message, or null while it waits in the
 * outbox (QStash unreachable): the invite and its email are recorded either way,
 * and a sweep publishes the email once QStash answers again.
 */
export type CreateInviteResult = { ok: true; invite: Invite; messageId: string | null } | ManageFailure;
export type ResendInviteResult = { ok: true; generation: number; messageId: string | null } | ManageFailure;
export type CancelInviteResult = { ok: true } | ManageFailure;

function newInviteId(): string {
  return `inv_${randomHex(16)}`;
}

/**
 * Invites `input.email` to the org: stores a PENDING invite holding only the
 * token's hash together with the outbox entry of the email that carries the
 * link (one script), then publishes the email. An invite never exists without
 * its email on the way, whether or not QStash answers now.
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
  const queue = durableQueue(services);
  const entry = await inviteEmailEntry(services, org, invite, token);
  const inserted = await insertInvite(services.redis, invite, nowMs, entry);
  if (inserted.state === "exists") {
    return fail("already_invited", `${email} already has a pending invite. Resend it from the list below.`);
  }
  const { published } = await queue.publish([entry]);
  return { ok: true, invite, messageId: published[0]?.messageId ?? null };
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
  // The email names the generation the script will write; the script refuses if another resend got there first.
  const next = { tokenHash: await hashInviteToken(token), expiresAt: nowMs + INVITE_TTL_MS, generation: invite.generation + 1 };
  const queue = durableQueue(services);
  const entry = await inviteEmailEntry(services, owned.org, { ...invite, ...next }, token);
  // The new token goes live in the same script that records its email: never a live link nobody was sent.
  const rotated = await rotateInviteToken(services.redis, invite, next, nowMs, MAX_INVITE_RESENDS, entry);
  if (rotated.state === "unknown") return fail("not_found", "This invite doesn't exist.");
  if (rotated.state === "conflict") return fail("conflict", `${invite.email} has a newer pending invite.`);
  if (rotated.state === "stale") return fail("conflict", "This invite was just resent. Reload the list to see it.");
  if (rotated.state === "resend_limit") return resendLimit();
  if (rotated.state === "final") return fail("not_pending", `This invite was already ${rotated.status.toLowerCase()}.`);
  const { published } = await queue.publish([entry]);
  return { ok: true, generation: rotated.generation, messageId: published[0]?.messageId ?? null };
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

/** The outbox entry of the email with the link, for the script that stores the invite or its new token. */
async function inviteEmailEntry(
  services: Services,
  org: Org,
  invite: Pick<Invite, "id" | "orgId" | "email" | "invitedBy" | "generation" | "expiresAt">,
  token: string,
) {
  const inviter = await getUser(services.redis, invite.invitedBy);
  return durableQueue(services).prepare(sendInviteEmail, {
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
