import { randomBytes } from "node:crypto";
import { formatMs } from "./duration";
import type { StateSnapshot } from "./snapshot";

/**
 * `GET /`: a server-rendered page of what the emulator holds. A small inline
 * script swaps in a freshly rendered fragment every 2 s; no build step, no
 * client-side templating, and every value is HTML-escaped on the server.
 */
export function renderDashboardPage(snapshot: StateSnapshot): { html: string; headers: Record<string, string> } {
  const nonce = randomBytes(16).toString("base64");
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Local QStash</title>
<style nonce="${nonce}">
  body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #1f2328; }
  h1 { font-size: 1.3rem; margin: 0 0 .25rem; } h2 { font-size: 1.05rem; margin: 1.5rem 0 .4rem; }
  table { border-collapse: collapse; width: 100%; font-size: 13px; }
  th, td { text-align: left; padding: .25rem .5rem; border-bottom: 1px solid #d0d7de; vertical-align: top; }
  th { background: #f6f8fa; } code { font-size: 12px; } .muted { color: #656d76; } .empty { color: #656d76; font-style: italic; }
  .state { font-weight: 600; } .FAILED, .ERROR { color: #cf222e; } .DELIVERED { color: #1a7f37; } .RETRY { color: #9a6700; }
</style>
</head>
<body>
<h1>Local QStash</h1>
<main id="dashboard">${renderDashboardFragment(snapshot)}</main>
<script nonce="${nonce}">
  // Re-render every 2 s from the server; keep the old view if a poll fails.
  setInterval(async () => {
    try {
      const response = await fetch(location.pathname.replace(/\\/$/, "") + "/__stack/dashboard" + location.search);
      if (response.ok) document.getElementById("dashboard").innerHTML = await response.text();
    } catch {}
  }, 2000);
</script>
</body>
</html>`;
  return {
    html,
    headers: {
      "content-security-policy": `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; connect-src 'self'`,
    },
  };
}

export function renderDashboardFragment(snapshot: StateSnapshot): string {
  const at = (ms: number | null | undefined) =>
    ms ? `${new Date(ms).toISOString()} <span class="muted">(${relative(ms, snapshot.now)})</span>` : "";
  return `
<p class="muted">Clock ${snapshot.manualClock ? "manual" : "system"}: ${escapeHtml(new Date(snapshot.now).toISOString())}
 · ${snapshot.inFlight} in flight${snapshot.nextWakeAt ? ` · next wake-up ${at(snapshot.nextWakeAt)}` : ""}</p>
<h2>Messages in flight or waiting (${snapshot.messages.length})</h2>
${table(
  ["Message", "URL", "State", "Attempt", "Next attempt", "Queue / flow key", "Labels"],
  snapshot.messages.map((message) => [
    code(message.messageId),
    escapeHtml(String(message.url)),
    state(message.cancelRequested ? "CANCEL_REQUESTED" : message.state),
    `${message.retried} / ${String(message.maxRetries)}`,
    at(message.nextAttemptAt),
    escapeHtml([message.queueName, message.flowControlKey].filter(Boolean).join(" / ")),
    escapeHtml(((message.labels as string[] | undefined) ?? []).join(", ")),
  ]),
)}
<h2>Dead-letter queue (${snapshot.dlq.length})</h2>
${table(
  ["DLQ id", "Message", "URL", "Status", "Response"],
  snapshot.dlq.map((entry) => [
    code(String(entry.dlqId)),
    code(String(entry.messageId)),
    escapeHtml(String(entry.url)),
    escapeHtml(String(entry.responseStatus ?? entry.error ?? "")),
    escapeHtml(truncate(String(entry.responseBody ?? ""), 120)),
  ]),
)}
<h2>Schedules (${snapshot.schedules.length})</h2>
${table(
  ["Schedule", "Cron", "Destination", "Paused", "Next", "Last"],
  snapshot.schedules.map((schedule) => [
    code(String(schedule.scheduleId)),
    code(String(schedule.cron)),
    escapeHtml(String(schedule.destination)),
    schedule.isPaused ? "yes" : "no",
    at(schedule.nextScheduleTime as number | undefined),
    at(schedule.lastScheduleTime as number | undefined),
  ]),
)}
<h2>Queues (${snapshot.queues.length})</h2>
${table(
  ["Queue", "Parallelism", "Lag", "Paused"],
  snapshot.queues.map((queue) => [code(queue.name), String(queue.parallelism), String(queue.lag), queue.paused ? "yes" : "no"]),
)}
<h2>URL groups (${snapshot.topics.length})</h2>
${table(
  ["Group", "Endpoints"],
  snapshot.topics.map((topic) => [
    code(topic.name),
    topic.endpoints
      .map((endpoint) => escapeHtml(endpoint.name ? `${endpoint.name}: ${endpoint.url}` : endpoint.url))
      .join("<br>"),
  ]),
)}
<h2>Recent events</h2>
${table(
  ["Time", "State", "Message", "URL", "Detail"],
  snapshot.events.map((event) => [
    at(event.time),
    state(event.state),
    code(event.messageId),
    escapeHtml(event.url),
    escapeHtml(
      [event.responseStatus, event.error, event.nextDeliveryTime ? `next ${new Date(event.nextDeliveryTime).toISOString()}` : ""]
        .filter(Boolean)
        .join(" · "),
    ),
  ]),
)}`;
}

function table(headings: string[], rows: string[][]): string {
  if (rows.length === 0) return `<p class="empty">none</p>`;
  const head = headings.map((heading) => `<th>${escapeHtml(heading)}</th>`).join("");
  const body = rows.map((row) => `<tr>${row.map((cell) => `<td>${cell}</td>`).join("")}</tr>`).join("\n");
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

const code = (text: string) => `<code>${escapeHtml(text)}</code>`;
const state = (name: string) => `<span class="state ${escapeHtml(name)}">${escapeHtml(name)}</span>`;
const truncate = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}…` : text);

function relative(ms: number, now: number): string {
  const delta = ms - now;
  return delta >= 0 ? `in ${formatMs(delta)}` : `${formatMs(-delta)} ago`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
