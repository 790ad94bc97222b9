import { formatInZone } from "../../events/time";
import { escapeHtml, layout, type RenderedEmail } from "./html";

export interface ReminderEmailInput {
  name: string;
  title: string;
  /** Unix epoch ms. */
  startsAt: number;
  /** The reader's IANA zone, e.g. Asia/Ulaanbaatar. */
  timeZone: string;
  appUrl: string;
}

/** Pure: "starts in an hour" email for a calendar event. */
export function reminderEmail(input: ReminderEmailInput): RenderedEmail {
  const when = formatInZone(input.startsAt, input.timeZone);
  const eventsUrl = `${input.appUrl}/events`;
  const subject = `Reminder: ${input.title} starts in 1 hour`;
  const html = layout({
    lang: "en",
    title: subject,
    bodyHtml: `<h1 style="font-size:20px">${escapeHtml(input.title)}</h1>
<p>Hi ${escapeHtml(input.name)}, this is your reminder: <strong>${escapeHtml(input.title)}</strong> starts ${escapeHtml(when)}.</p>
<p><a href="${escapeHtml(eventsUrl)}">See your events</a></p>`,
  });
  const text = `Hi ${input.name}, this is your reminder: ${input.title} starts ${when}.\n\nSee your events: ${eventsUrl}`;
  return { subject, html, text };
}
