import { longDateTimeFormat } from "../../events/time";
import { subjectText } from "../subject-text";
import { escapeHtml, layout, type RenderedEmail } from "./html";

export interface InviteEmailInput {
  orgName: string;
  inviterName: string;
  /** The invited address (shown so a forwarded email explains itself). */
  email: string;
  /** The link with the token; opens /invite/<token>. */
  acceptUrl: string;
  /** Unix epoch ms when the link stops working. */
  expiresAt: number;
}

/** Invitees may have no account (and so no time zone yet): expiry is shown in UTC. */
const expiryFormat = longDateTimeFormat("UTC");

/** e.g. "Wednesday, 22 January 2025 at 12:30 UTC". Non-breaking spaces from ICU become plain ones. */
export function formatInviteExpiry(expiresAt: number): string {
  return `${expiryFormat.format(new Date(expiresAt)).replace(/[\u00a0\u202f]/g, " ")} UTC`;
}

/** Pure: the same payload renders the same bytes, so a retry under the same Resend idempotency key is accepted. */
export function inviteEmail(input: InviteEmailInput): RenderedEmail {
  // Names are chosen by the inviter and go out under our sender: quoted, defanged and short in the subject.
  const subject = `${subjectText(input.inviterName, 40)} invited you to join “${subjectText(input.orgName, 50)}”`;
  const expires = formatInviteExpiry(input.expiresAt);
  const html = layout({
    lang: "en",
    title: subject,
    bodyHtml: `<h1 style="font-size:22px">Join ${escapeHtml(input.orgName)}</h1>
<p>${escapeHtml(input.inviterName)} invited <strong>${escapeHtml(input.email)}</strong> to join the organisation <strong>${escapeHtml(input.orgName)}</strong>.</p>
<p style="margin:28px 0"><a href="${escapeHtml(input.acceptUrl)}" style="background:#111;color:#fff;padding:12px 20px;border-radius:6px;text-decoration:none">Accept the invitation</a></p>
<p>Or paste this link into your browser:<br><a href="${escapeHtml(input.acceptUrl)}">${escapeHtml(input.acceptUrl)}</a></p>
<p style="color:#555;font-size:14px">The link works once and expires on ${escapeHtml(expires)}. If you weren't expecting this invitation, you can ignore this email.</p>`,
  });
  const text = [
    `${input.inviterName} invited ${input.email} to join the organisation ${input.orgName}.`,
    "",
    `Accept the invitation: ${input.acceptUrl}`,
    "",
    `The link works once and expires on ${expires}. If you weren't expecting this invitation, you can ignore this email.`,
  ].join("\n");
  return { subject, html, text };
}
