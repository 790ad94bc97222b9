import { escapeHtml, layout, type RenderedEmail } from "./html";

export interface ReportReadyInput {
  name: string;
  orgName: string;
  periodDays: number;
  reportUrl: string;
}

/** Pure: "your report is ready" with the link to it. */
export function reportReadyEmail(input: ReportReadyInput): RenderedEmail {
  const subject = `Your ${input.orgName} report is ready`;
  const html = layout({
    lang: "en",
    title: subject,
    bodyHtml: `<h1 style="font-size:20px">${escapeHtml(subject)}</h1>
<p>Hi ${escapeHtml(input.name)}, the delivery report for <strong>${escapeHtml(input.orgName)}</strong> covering the last ${input.periodDays} days is ready.</p>
<p><a href="${escapeHtml(input.reportUrl)}" style="display:inline-block;background:#0b5fff;color:#fff;padding:10px 16px;border-radius:6px;text-decoration:none">View the report</a></p>
<p style="color:#666">The link works for members of ${escapeHtml(input.orgName)} for 30 days.</p>`,
  });
  const text = `Hi ${input.name}, the delivery report for ${input.orgName} covering the last ${input.periodDays} days is ready.\n\nView the report: ${input.reportUrl}\n\nThe link works for members of ${input.orgName} for 30 days.`;
  return { subject, html, text };
}
