import { JOB_ROUTE_PREFIX } from "./urls";

/**
 * Pure helpers that turn what QStash stores (base64 bodies, a destination URL,
 * our route's JSON answers) into what a person wants to read. Shared by the
 * failure callback and the app's DLQ views.
 */

/** Longest reason kept; our route answers one short line, a proxy's error page can be huge. */
export const REASON_LIMIT = 2000;

/** Our job routes answer `{"error": "..."}`; anything else (an HTML error page) is kept as text. */
export function reasonFromResponse(text: string, status: number | null): string {
  let reason = text;
  try {
    const answer = JSON.parse(text) as { error?: unknown } | null;
    if (answer && typeof answer.error === "string") reason = answer.error;
  } catch {
    // not JSON: keep the text
  }
  return reason.slice(0, REASON_LIMIT) || (status === null ? "no response" : `HTTP ${status}`);
}

export function parseJsonOrText(text: string): unknown {
  if (text === "") return "";
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The job a message was for: the URL path names it; our labels repeat it (the first label). */
export function jobNameOf(url: string, labels: readonly string[] = []): string {
  const fromUrl = jobNameFromUrl(url);
  if (fromUrl !== "unknown") return fromUrl;
  return labels[0] ?? "unknown";
}

export function jobNameFromUrl(url: string): string {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return "unknown";
  }
  for (const prefix of Object.values(JOB_ROUTE_PREFIX)) {
    if (path.startsWith(`${prefix}/`)) return safeDecode(path.slice(prefix.length + 1).split("/")[0] ?? "") || "unknown";
  }
  return "unknown";
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
