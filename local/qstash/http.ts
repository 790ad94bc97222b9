import type { IncomingMessage, ServerResponse } from "node:http";
import { readBytes } from "../http";
import { ApiError } from "./errors";
import { flattenHeaders, type FlatHeaders } from "./header-map";

/** Larger requests get 413; QStash's own message limit is 1 MB on the free plan and 10 MB or more on paid ones. */
const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

/** What a route sees: the raw path (destinations live in it unencoded), the query, flat headers and body bytes. */
export interface RequestContext {
  method: string;
  /** Raw path, no query, not percent-decoded. */
  path: string;
  /** Raw query string without `?`. */
  rawQuery: string;
  query: URLSearchParams;
  headers: FlatHeaders;
  body: Buffer;
  /** The publisher's address, as `Upstash-Caller-Ip` and `callerIp` report it. */
  callerIp: string;
  /** True when the request came over loopback. */
  loopback: boolean;
}

/** A route's answer; no `body` means an empty 200-style reply. */
export type Reply = { status: number; body?: unknown; html?: string; headers?: Record<string, string> };

export const json = (body: unknown, status = 200): Reply => ({ status, body });
export const empty = (status = 200): Reply => ({ status });

export async function readRequest(req: IncomingMessage): Promise<RequestContext> {
  const body = await readBytes(req, MAX_REQUEST_BYTES);
  if (body === null) throw new ApiError(413, `request body larger than ${MAX_REQUEST_BYTES} bytes`);
  const raw = req.url ?? "/";
  const mark = raw.indexOf("?");
  const path = mark === -1 ? raw : raw.slice(0, mark);
  const rawQuery = mark === -1 ? "" : raw.slice(mark + 1);
  const remote = (req.socket.remoteAddress ?? "").replace(/^::ffff:/, "");
  return {
    method: (req.method ?? "GET").toUpperCase(),
    path,
    rawQuery,
    query: new URLSearchParams(rawQuery),
    headers: flattenHeaders(req.headers),
    body,
    callerIp: remote || "127.0.0.1",
    loopback: remote === "127.0.0.1" || remote === "::1" || remote.startsWith("127."),
  };
}

export function sendReply(res: ServerResponse, reply: Reply): void {
  if (res.headersSent || res.destroyed) return;
  if (reply.html !== undefined) {
    res.writeHead(reply.status, {
      "content-type": "text/html; charset=utf-8",
      "content-length": String(Buffer.byteLength(reply.html)),
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
      ...reply.headers,
    });
    res.end(reply.html);
    return;
  }
  if (reply.body === undefined) {
    res.writeHead(reply.status, { "content-length": "0" });
    res.end();
    return;
  }
  const text = JSON.stringify(reply.body);
  res.writeHead(reply.status, { "content-type": "application/json", "content-length": String(Buffer.byteLength(text)) });
  res.end(text);
}
