import { escapeHtml, layout, type RenderedEmail } from "./html";

export interface NotificationEmailInput {
  name: string;
  title: string;
  body: string;
  /** Absolute URL, if the notification links somewhere. */
  url?: string;
  appUrl: string;
}

/** Pure: the email twin of an in-app notification. */
export function notificationEmail(input: NotificationEmailInput): RenderedEmail {
  const inbox = `${input.appUrl}/notifications`;
  const html = layout({
    lang: "en",
    title: input.title,
    bodyHtml: `<h1 style="font-size:20px">${escapeHtml(input.title)}</h1>
<p>Hi ${escapeHtml(input.name)},</p>
<p style="white-space:pre-line">${escapeHtml(input.body)}</p>
${input.url ? `<p><a href="${escapeHtml(input.url)}" style="display:inline-block;background:#0b5fff;color:#fff;padding:10px 16px;border-radius:6px;text-decoration:none">Open</a></p>` : ""}
<p style="color:#666">All your notifications: <a href="${escapeHtml(inbox)}">${escapeHtml(inbox)}</a></p>`,
  });
  const text = [
    `Hi ${input.name},`,
    "",
    input.body,
    ...(input.url ? ["", `Open: ${input.url}`] : []),
    "",
    `All your notifications: ${inbox}`,
  ].join("\n");
  return { subject: input.title, html, text };
}
