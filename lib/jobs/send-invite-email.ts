import { z } from "zod";
import { sendJobEmail } from "./send-job-email";
import { inviteEmail } from "../email/templates/invite";
import { NonRetryableError } from "../job-runtime";
import { effectiveStatus, getInvite, type Invite } from "../invites/store";
import type { JobDeps } from "./context";
import { EMAIL_PACE } from "../email/pace";
import { defineJob } from "./context";

export const sendInviteEmailSchema = z.object({
  inviteId: z.string().regex(/^inv_[a-f0-9]{32}$/),
  orgId: z.string().min(1).max(100),
  /** Which link of the invite this is (1, then +1 per resend); keys the email's idempotency. */
  generation: z.number().int().min(1),
  email: z.email(),
  /** User id of the inviter; the email is logged on their email log (the invitee may have no account). */
  invitedBy: z.string().min(1),
  orgName: z.string().min(1).max(200),
  inviterName: z.string().min(1).max(200),
  /**
   * The link with the raw token. It travels in the payload so every retry
   * sends the same link; see docs/decisions/0004-invite-token-in-payload.md.
   */
  acceptUrl: z
    .url({ protocol: /^https?$/ })
    .refine((url) => new URL(url).pathname.startsWith("/invite/"), "must be an /invite/ link"),
  /** Unix epoch ms when the link stops working. */
  expiresAt: z.number().int().positive(),
});

export type SendInviteEmailPayload = z.output<typeof sendInviteEmailSchema>;

export interface SendInviteEmailDeps {
  loadInvite(jobDeps: JobDeps, inviteId: string): Promise<Invite | null>;
}

/** One email per link: a resend is a new generation and so a new key (and a new email). */
export const inviteEmailKey = (payload: Pick<SendInviteEmailPayload, "inviteId" | "generation">) =>
  `${payload.inviteId}/${payload.generation}`;

/** Why a queued email is no longer worth sending, or null when it is. */
export function staleReason(invite: Invite, payload: SendInviteEmailPayload, nowMs: number): string | null {
  if (invite.orgId !== payload.orgId) return "invite belongs to another organisation";
  if (invite.generation !== payload.generation) return "link replaced";
  const status = effectiveStatus(invite, nowMs);
  if (status !== "PENDING") return `invite ${status.toLowerCase()}`;
  return null;
}

export function createSendInviteEmailJob(deps: Partial<SendInviteEmailDeps> = {}) {
  const loadInvite = deps.loadInvite ?? ((jobDeps, inviteId) => getInvite(jobDeps.redis, inviteId));
  return defineJob({
    name: "send-invite-email",
    schema: sendInviteEmailSchema,
    retries: 3,
    retryDelay: "pow(2, retried) * 2000",
    pace: EMAIL_PACE,
    idempotencyKey: inviteEmailKey,
    async handler(payload, context) {
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
    },
  });
}

/** Emails an invite link; queued by creating or resending an invite from the members page. */
export const sendInviteEmail = createSendInviteEmailJob();
