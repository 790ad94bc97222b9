import { bodyBytes } from "./body";
import type { Core } from "./core";
import type { MessageRecord } from "./model";
import { signDelivery } from "./signing";

/** Forwarded headers that would corrupt the request if copied onto it. */
const HOP_BY_HOP = new Set([
  "host",
  "connection",
  "content-length",
  "transfer-encoding",
  "keep-alive",
  "upgrade",
  "te",
  "trailer",
]);

export interface PreparedDelivery {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * The request QStash sends for one attempt (§3.1): forwarded headers with the
 * prefix already removed, the original Content-Type, the Upstash-* headers and
 * a signature over the exact bytes sent. GET carries no body (fetch-based
 * receivers could not read one), so it is signed over the empty body.
 */
export function prepareDelivery(core: Core, message: MessageRecord): PreparedDelivery {
  const body = message.method === "GET" ? Buffer.alloc(0) : bodyBytes(message.body);
  const headers: Record<string, string> = {};
  for (const [name, values] of Object.entries(message.header)) {
    if (!HOP_BY_HOP.has(name.toLowerCase())) headers[name] = values.join(", ");
  }
  headers["User-Agent"] = "Upstash-QStash";
  headers["Upstash-Message-Id"] = message.messageId;
  headers["Upstash-Retried"] = String(message.retried);
  headers["Upstash-Caller-Ip"] = message.callerIp;
  if (message.scheduleId) headers["Upstash-Schedule-Id"] = message.scheduleId;
  if (message.topicName) headers["Upstash-Topic-Name"] = message.topicName;
  // Signature time is transport time: the request goes out now, whatever the
  // (possibly fast-forwarded) stack clock says. See README "Clock".
  headers["Upstash-Signature"] = signDelivery({
    key: core.config.currentSigningKey,
    url: message.url,
    body,
    nowMs: core.config.signingTime(),
    jti: core.id("jwt"),
  });
  headers["Content-Length"] = String(body.length);
  return { url: message.url, method: message.method, headers, body };
}
