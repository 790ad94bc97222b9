import { escapeHtml, layout, type RenderedEmail } from "../email/templates/html";
import type { FinalFailure } from "../job-runtime";

/** Longest payload excerpt in the alert: enough to recognise the job, not a data dump. */
export const PAYLOAD_EXCERPT_LIMIT = 1000;

/** Pure: the email an operator gets when a job lands in the DLQ. */
export function dlqAlertEmail(failure: FinalFailure, appUrl: string): RenderedEmail {
  const adminLink = `${appUrl}/admin${failure.dlqId ? `?dlq=${encodeURIComponent(failure.dlqId)}` : ""}`;
  const payload = payloadExcerpt(failure.payload);
  const attempts = failure.retried + 1;
  const subject = `Job ${failure.jobName} failed and is in the dead-letter queue`;
  const rows: Array<[string, string]> = [
    ["Job", failure.jobName],
    ["Message id", failure.messageId],
    ["DLQ id", failure.dlqId || "(not reported)"],
    ["Last answer", `HTTP ${failure.status} after ${attempts} attempt${attempts === 1 ? "" : "s"}`],
    ["Reason", failure.reason],
  ];
  const replay = failure.dlqId ? `npm run dlq -- retry ${failure.dlqId}` : `npm run dlq -- list --job ${failure.jobName}`;
  const text = [
    `The ${failure.jobName} job failed for good and QStash moved it to the dead-letter queue.`,
    "",
    ...rows.map(([name, value]) => `${name}: ${value}`),
    "",
    "Payload:",
    payload,
    "",
    `Inspect and replay it: ${adminLink}`,
    `or from a terminal: ${replay}`,
    "",
    "You get one email per failed message.",
  ].join("\n");
  const html = layout({
    lang: "en",
    title: subject,
    bodyHtml: `<h1 style="font-size:20px">${escapeHtml(subject)}</h1>
<p>The <strong>${escapeHtml(failure.jobName)}</strong> job failed for good and QStash moved it to the dead-letter queue.</p>
<table style="border-collapse:collapse;font-size:14px">${rows
      .map(
        ([name, value]) =>
          `<tr><th style="text-align:left;padding:4px 12px 4px 0;vertical-align:top">${escapeHtml(name)}</th><td style="padding:4px 0">${escapeHtml(value)}</td></tr>`,
      )
      .join("")}</table>
<p style="margin-bottom:4px"><strong>Payload</strong></p>
<pre style="white-space:pre-wrap;word-break:break-word;background:#f3f4f6;padding:8px;border-radius:6px;font-size:13px">${escapeHtml(payload)}</pre>
<p><a href="${escapeHtml(adminLink)}">Inspect and replay it on the admin page</a>, or run <code>${escapeHtml(replay)}</code>.</p>
<p style="color:#666;font-size:13px">You get one email per failed message.</p>`,
  });
  return { subject, html, text };
}

function payloadExcerpt(payload: unknown): string {
  const text = typeof payload === "string" ? payload : (JSON.stringify(payload, null, 2) ?? String(payload));
  if (text === "") return "(empty)";
  return text.length > PAYLOAD_EXCERPT_LIMIT ? `${text.slice(0, PAYLOAD_EXCERPT_LIMIT)}\n… (truncated)` : text;
}
