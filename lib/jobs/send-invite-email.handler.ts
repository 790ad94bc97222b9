import { defineHandler, NonRetryableError } from "../job-runtime";
import { inviteEmail } from "../email/templates/invite";
import { effectiveStatus, getInvite, type Invite } from "../invites/store";
import type { JobDeps } from "./context";
import { sendJobEmail } from "./send-job-email";
import { sendInviteEmail, type SendInviteEmailPayload } from "./send-invite-email";

export interface SendInviteEmailDeps {
  loadInvite(jobDeps: JobDeps, inviteId: string): Promise<Invite | null>;
}

/** Why a queued email is no longer worth sending, or null when it is. */
export function staleReason(invite: Invite, payload: SendInviteEmailPayload, nowMs: number): string | null {
  if (invite.orgId !== payload.orgId) return "invite belongs to another organisation";
  if (invite.generation !== payload.generation) return "link replaced";
  const status = effectiveStatus(invite, nowMs);
  if (status !== "PENDING") return `invite ${status.toLowerCase()}`;
  return null;
}

/** The handler, with its invite lookup replaceable in tests. */
export function createSendInviteEmailHandler(deps: Partial<SendInviteEmailDeps> = {}) {
  const loadInvite = deps.loadInvite ?? (async (jobDeps, inviteId) => getInvite(await jobDeps.redis(), inviteId));
  return defineHandler(sendInviteEmail, async (payload, context) => {
    const invite = await loadInvite(context, payload.inviteId);
    if (!invite) throw new NonRetryableError(`unknown invite ${payload.inviteId}`);
    // Cancelled, accepted, expired or resent since it was queued: its link would not work, so don't send it.
    const stale = staleReason(invite, payload, context.clock.now());
    if (stale) return { skipped: stale };
    const rendered = await inviteEmail(payload);
    const emailId = await sendJobEmail(context, {
      job: "send-invite-email",
      userId: payload.invitedBy,
      to: payload.email,
      rendered,
    });
    return { emailId };
  });
}

export default createSendInviteEmailHandler();
