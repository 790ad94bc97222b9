import { longDateTimeFormat } from "../../events/time";
import { escapeHtml, layout, type RenderedEmail } from "./html";

export type VerifyEmailInput =
  /** A new (or still unverified) account: the link that proves the address. */
  | { kind: "verify"; name: string; verifyUrl: string; expiresAt: number }
  /**
   * Someone signed up with an address that already has a verified account.
   * The sign-up page answers the same either way (so it reveals nothing);
   * the owner hears about it here instead.
   */
  | { kind: "exists"; signInUrl: string };

const expiryFormat = longDateTimeFormat("UTC");

/** Pure: the same payload renders the same bytes, so a retry under the same Resend idempotency key is accepted. */
export function verifyEmail(input: VerifyEmailInput): RenderedEmail {
  if (input.kind === "exists") {
    const subject = "Someone tried to sign up with your email address";
    const html = layout({
      lang: "en",
      title: subject,
      bodyHtml: `<h1 style="font-size:22px">You already have an account</h1>
<p>Someone (maybe you) just tried to create an account with this address. It already has one, so nothing was created.</p>
<p>If it was you, <a href="${escapeHtml(input.signInUrl)}">sign in here</a>. If it wasn't, you can ignore this email: nobody can use your account without your password.</p>`,
    });
    const text = [
      "Someone (maybe you) just tried to create an account with this address. It already has one, so nothing was created.",
      "",
      `If it was you, sign in here: ${input.signInUrl}`,
      "If it wasn't, you can ignore this email: nobody can use your account without your password.",
    ].join("\n");
    return { subject, html, text };
  }
  const subject = "Confirm your email address";
  const expires = `${expiryFormat.format(new Date(input.expiresAt)).replace(/[\u00a0\u202f]/g, " ")} UTC`;
  const html = layout({
    lang: "en",
    title: subject,
    bodyHtml: `<h1 style="font-size:22px">Confirm your email address</h1>
<p>Hi ${escapeHtml(input.name)}, please confirm that this is your address.</p>
<p style="margin:28px 0"><a href="${escapeHtml(input.verifyUrl)}" style="background:#111;color:#fff;padding:12px 20px;border-radius:6px;text-decoration:none">Confirm my address</a></p>
<p>Or paste this link into your browser:<br><a href="${escapeHtml(input.verifyUrl)}">${escapeHtml(input.verifyUrl)}</a></p>
<p style="color:#555;font-size:14px">The link works once and expires on ${escapeHtml(expires)}. If you didn't create an account, ignore this email.</p>`,
  });
  const text = [
    `Hi ${input.name}, please confirm that this is your address:`,
    "",
    input.verifyUrl,
    "",
    `The link works once and expires on ${expires}. If you didn't create an account, ignore this email.`,
  ].join("\n");
  return { subject, html, text };
}
