import { escapeHtml, layout, type RenderedEmail } from "./html";

/** Pure: the same input always renders the same bytes, so a retry reuses Resend's idempotency key safely. */
export function welcomeEmail(input: { name: string; appUrl: string }): RenderedEmail {
  const subject = `Welcome, ${input.name}!`;
  const html = layout({
    lang: "en",
    title: subject,
    bodyHtml: `<h1 style="font-size:22px">Welcome, ${escapeHtml(input.name)}!</h1>
<p>Your account is ready. Sign in any time at <a href="${escapeHtml(input.appUrl)}">${escapeHtml(input.appUrl)}</a>.</p>`,
  });
  const text = `Welcome, ${input.name}!\n\nYour account is ready. Sign in any time at ${input.appUrl}.`;
  return { subject, html, text };
}
