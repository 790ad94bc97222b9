import * as z from "zod/mini";
import { EMAIL_PACE } from "../email/pace";
import { defineJob } from "./context";

export const sendInviteEmailSchema = z.object({
  inviteId: z.string().check(z.regex(/^inv_[a-f0-9]{32}$/)),
  orgId: z.string().check(z.minLength(1), z.maxLength(100)),
  /** Which link of the invite this is (1, then +1 per resend); keys the email's idempotency. */
  generation: z.int().check(z.gte(1)),
  email: z.email(),
  /** User id of the inviter; the email is logged on their email log (the invitee may have no account). */
  invitedBy: z.string().check(z.minLength(1)),
  orgName: z.string().check(z.minLength(1), z.maxLength(200)),
  inviterName: z.string().check(z.minLength(1), z.maxLength(200)),
  /**
   * The link with the raw token. It travels in the payload so every retry
   * sends the same link; see docs/decisions/0004-invite-token-in-payload.md.
   */
  acceptUrl: z
    .url({ protocol: /^https?$/ })
    .check(z.refine((url) => new URL(url).pathname.startsWith("/invite/"), "must be an /invite/ link")),
  /** Unix epoch ms when the link stops working. */
  expiresAt: z.int().check(z.positive()),
});

export type SendInviteEmailPayload = z.output<typeof sendInviteEmailSchema>;

/** One email per link: a resend is a new generation and so a new key (and a new email). */
export const inviteEmailKey = (payload: Pick<SendInviteEmailPayload, "inviteId" | "generation">) =>
  `${payload.inviteId}/${payload.generation}`;

/** Emails an invite link; queued by creating or resending an invite from the members page. Handler: ./send-invite-email.handler.ts. */
export const sendInviteEmail = defineJob({
  name: "send-invite-email",
  schema: sendInviteEmailSchema,
  retries: 3,
  retryDelay: "pow(2, retried) * 2000",
  pace: EMAIL_PACE,
  idempotencyKey: inviteEmailKey,
});
