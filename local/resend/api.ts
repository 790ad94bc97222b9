import type { IncomingMessage, ServerResponse } from "node:http";
import { invalidField, ResendApiError } from "./errors";
import { sendJson } from "./http";
import type { RateLimiter } from "./rate-limit";
import { handleSend, type SendDeps } from "./send";
import { lastEvent, type CapturedEmail } from "./store";
import { parseScheduledAt } from "./validate";

/** The Resend REST endpoints under `/emails`. */

export interface ApiDeps extends SendDeps {
  rateLimiter: RateLimiter;
}

type Route = "send" | "batch" | "list" | "get" | "update" | "cancel";

/** Path → allowed methods. Null when the path is not part of the API. */
function routesFor(path: string): { id?: string; methods: Partial<Record<string, Route>> } | null {
  if (path === "/emails") return { methods: { POST: "send", GET: "list" } };
  if (path === "/emails/batch") return { methods: { POST: "batch" } };
  const cancel = /^\/emails\/([^/]+)\/cancel$/.exec(path);
  if (cancel) return { id: decodeURIComponent(cancel[1]!), methods: { POST: "cancel" } };
  const single = /^\/emails\/([^/]+)$/.exec(path);
  if (single) return { id: decodeURIComponent(single[1]!), methods: { GET: "get", PATCH: "update" } };
  return null;
}

export function isApiPath(path: string): boolean {
  return routesFor(path) !== null;
}

function apiKeyOf(req: IncomingMessage): string {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "");
  if (!match) {
    throw new ResendApiError(
      401,
      "missing_api_key",
      "Missing API key in the authorization header. Include the following header in the request: Authorization: Bearer YOUR_API_KEY",
    );
  }
  // Any re_… key is accepted: there is no account behind this server.
  if (!match[1]!.startsWith("re_")) throw new ResendApiError(403, "invalid_api_key", "API key is invalid");
  return match[1]!;
}

export async function handleApi(req: IncomingMessage, res: ServerResponse, url: URL, path: string, body: string, deps: ApiDeps) {
  const routes = routesFor(path)!;
  const route = routes.methods[req.method ?? "GET"];
  if (!route) throw new ResendApiError(405, "method_not_allowed", "Method is not allowed for the requested path.");
  const apiKey = apiKeyOf(req);
  const { allowed, headers } = deps.rateLimiter.take(apiKey);
  // Every answer from here on, errors included, carries the rate-limit headers.
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  if (!allowed) {
    throw new ResendApiError(
      429,
      "rate_limit_exceeded",
      `Too many requests. You can only make ${headers["ratelimit-limit"]} requests per second. See rate limit response headers for more information.`,
    );
  }
  const nowMs = deps.clock.now();
  const found = () => {
    const email = deps.store.get(routes.id!);
    if (!email) throw new ResendApiError(404, "not_found", "Email not found");
    return email;
  };
  switch (route) {
    case "send":
    case "batch":
      return handleSend({ req, res, apiKey, path, body, batch: route === "batch" }, deps);
    case "get":
      return sendJson(res, 200, toWire(found(), nowMs));
    case "list":
      return sendJson(res, 200, listEmails(deps.store.all(), url.searchParams, nowMs));
    case "update": {
      const email = scheduledOnly(found(), nowMs, "updated");
      const scheduledAt = parseScheduledAt(parseObject(body).scheduled_at, nowMs);
      if (scheduledAt === null) throw new ResendApiError(422, "missing_required_field", "Missing `scheduled_at` field.");
      deps.store.update(email.id, { scheduledAt });
      return sendJson(res, 200, { object: "email", id: email.id });
    }
    case "cancel": {
      const email = scheduledOnly(found(), nowMs, "canceled");
      deps.store.update(email.id, { canceled: true });
      return sendJson(res, 200, { object: "email", id: email.id });
    }
  }
}

function scheduledOnly(email: CapturedEmail, nowMs: number, verb: string): CapturedEmail {
  if (lastEvent(email, nowMs) !== "scheduled") throw invalidField(`Only scheduled emails can be ${verb}.`);
  return email;
}

function parseObject(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text) as unknown;
    if (value && typeof value === "object" && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new ResendApiError(400, "validation_error", "The request body must be a JSON object.");
}

/** `GET /emails/:id` body. */
function toWire(email: CapturedEmail, nowMs: number) {
  return {
    object: "email" as const,
    id: email.id,
    to: email.to,
    from: email.from,
    created_at: email.createdAt,
    subject: email.subject,
    html: email.html,
    text: email.text,
    bcc: email.bcc.length > 0 ? email.bcc : null,
    cc: email.cc.length > 0 ? email.cc : null,
    reply_to: email.replyTo.length > 0 ? email.replyTo : null,
    last_event: lastEvent(email, nowMs),
    scheduled_at: email.scheduledAt,
    tags: email.tags,
    topic_id: email.topicId,
    message_id: `<${email.id}@local.resend>`,
  };
}

/** `GET /emails`: newest first, cursor pagination by id with `after` / `before`. */
function listEmails(all: CapturedEmail[], params: URLSearchParams, nowMs: number) {
  const limit = Number(params.get("limit") ?? 20);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100)
    throw invalidField("The `limit` parameter must be an integer from 1 to 100.");
  const after = params.get("after");
  const before = params.get("before");
  if (after && before) throw invalidField("Use either `after` or `before`, not both.");
  const newest = [...all].reverse();
  const indexOf = (id: string) => {
    const index = newest.findIndex((email) => email.id === id);
    if (index === -1) throw new ResendApiError(404, "not_found", `No email with id ${id} to page from.`);
    return index;
  };
  let page: CapturedEmail[];
  let hasMore: boolean;
  if (before) {
    const end = indexOf(before);
    page = newest.slice(Math.max(0, end - limit), end);
    hasMore = end - limit > 0;
  } else {
    const start = after ? indexOf(after) + 1 : 0;
    page = newest.slice(start, start + limit);
    hasMore = start + limit < newest.length;
  }
  const data = page.map((email) => {
    const { html: _html, text: _text, tags: _tags, object: _object, ...rest } = toWire(email, nowMs);
    return rest;
  });
  return { object: "list" as const, has_more: hasMore, data };
}
