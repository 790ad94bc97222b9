import { lastEvent, type CapturedEmail } from "./store";

/**
 * The inbox web page: plain server-rendered HTML, no scripts. Everything from an
 * email is escaped; the HTML body renders inside a sandboxed iframe (`srcdoc`),
 * so its scripts and forms cannot run and it cannot reach this page.
 */

/** Sent with every inbox page. `srcdoc` frames inherit it, so email images still load. */
export const INBOX_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src * data:; font-src * data:; frame-src 'self'; base-uri 'none'; form-action 'none'";

function escapeHtml(value: string): string {
  return value
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 0; color: #1f2328; background: #f6f8fa; }
header { background: #111; color: #fff; padding: 12px 24px; display: flex; gap: 16px; align-items: baseline; }
header a { color: #fff; } main { padding: 16px 24px; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid #d0d7de; vertical-align: top; }
th { background: #eaeef2; font-weight: 600; } code, .tag { font: 12px ui-monospace, monospace; }
.tag { background: #ddf4ff; border-radius: 4px; padding: 1px 5px; margin-right: 4px; white-space: nowrap; }
.muted { color: #656d76; } iframe { width: 100%; height: 60vh; border: 1px solid #d0d7de; background: #fff; }
pre { white-space: pre-wrap; background: #fff; border: 1px solid #d0d7de; padding: 12px; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; background: #fff; padding: 12px; border: 1px solid #d0d7de; }
dt { font-weight: 600; } dd { margin: 0; }`;

function page(title: string, body: string, refreshSeconds?: number): string {
  const refresh = refreshSeconds ? `<meta http-equiv="refresh" content="${refreshSeconds}">` : "";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">${refresh}
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><header><strong>Local Resend inbox</strong><a href="/">All mail</a><a href="/__emails">JSON</a></header>
<main>${body}</main></body></html>
`;
}

const list = (values: string[]) => (values.length === 0 ? '<span class="muted">—</span>' : escapeHtml(values.join(", ")));
const tagList = (email: CapturedEmail) =>
  email.tags.map((tag) => `<span class="tag">${escapeHtml(`${tag.name}=${tag.value}`)}</span>`).join("") ||
  '<span class="muted">—</span>';
const keyCell = (email: CapturedEmail) =>
  email.idempotencyKey === null ? '<span class="muted">—</span>' : `<code>${escapeHtml(email.idempotencyKey)}</code>`;

/** Newest first. */
export function renderInbox(emails: CapturedEmail[], nowMs: number): string {
  if (emails.length === 0) {
    return page(
      "Local Resend inbox",
      "<p>No emails yet. Send one with the Resend SDK pointed at this server (<code>RESEND_BASE_URL</code>).</p>",
      5,
    );
  }
  const rows = [...emails]
    .reverse()
    .map(
      (email) => `<tr>
<td><time datetime="${escapeHtml(email.createdAt)}">${escapeHtml(email.createdAt.replace("T", " ").replace(/\.\d+Z$/, "Z"))}</time></td>
<td>${list(email.to)}</td>
<td><a href="/inbox/${encodeURIComponent(email.id)}">${escapeHtml(email.subject || "(no subject)")}</a></td>
<td>${keyCell(email)}</td>
<td>${tagList(email)}</td>
<td>${escapeHtml(lastEvent(email, nowMs))}</td>
</tr>`,
    )
    .join("\n");
  return page(
    `Local Resend inbox (${emails.length})`,
    `<p class="muted">${emails.length} email(s), newest first. Clear with <code>DELETE /__emails</code>.</p>
<table><thead><tr><th>Time</th><th>To</th><th>Subject</th><th>Idempotency key</th><th>Tags</th><th>Status</th></tr></thead>
<tbody>
${rows}
</tbody></table>`,
    5,
  );
}

export function renderEmail(email: CapturedEmail, nowMs: number): string {
  const field = (name: string, value: string) => `<dt>${name}</dt><dd>${value}</dd>`;
  const headers = Object.entries(email.headers).map(([k, v]) => `${k}: ${v}`);
  const attachments = email.attachments.map(
    (a) =>
      `${a.filename ?? a.path ?? "attachment"} (${a.contentType ?? "unknown type"}${a.sizeBytes === null ? "" : `, ${a.sizeBytes} bytes`})`,
  );
  const details = [
    field("From", escapeHtml(email.from)),
    field("To", list(email.to)),
    field("Cc", list(email.cc)),
    field("Bcc", list(email.bcc)),
    field("Reply-To", list(email.replyTo)),
    field("Subject", escapeHtml(email.subject)),
    field("Sent", escapeHtml(email.createdAt)),
    field("Scheduled", email.scheduledAt === null ? '<span class="muted">—</span>' : escapeHtml(email.scheduledAt)),
    field("Status", escapeHtml(lastEvent(email, nowMs))),
    field("Idempotency key", keyCell(email)),
    field("Tags", tagList(email)),
    field("Headers", headers.length === 0 ? '<span class="muted">—</span>' : `<code>${escapeHtml(headers.join("\n"))}</code>`),
    field("Attachments", list(attachments)),
    field(
      "Template",
      email.template === null ? '<span class="muted">—</span>' : `<code>${escapeHtml(JSON.stringify(email.template))}</code>`,
    ),
    field("Id", `<code>${escapeHtml(email.id)}</code> · <a href="/__emails/${encodeURIComponent(email.id)}">JSON</a>`),
  ].join("\n");
  const html =
    email.html === null
      ? '<p class="muted">No HTML part.</p>'
      : `<iframe title="HTML body" sandbox="" referrerpolicy="no-referrer" srcdoc="${escapeHtml(email.html)}"></iframe>`;
  const text = email.text === null ? '<p class="muted">No text part.</p>' : `<pre>${escapeHtml(email.text)}</pre>`;
  return page(
    email.subject || "(no subject)",
    `<h1>${escapeHtml(email.subject || "(no subject)")}</h1>
<dl>
${details}
</dl>
<h2>HTML</h2>
${html}
<h2>Text</h2>
${text}`,
  );
}

export function renderNotFound(id: string): string {
  return page("Not found", `<p>No captured email with id <code>${escapeHtml(id)}</code>.</p>`);
}
