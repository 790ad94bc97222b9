import { QstashError, type Client } from "@upstash/qstash";
import * as z from "zod/mini";
import { type Clock, findRun, listRecentRuns, type OutboxDepth, type Redis, type SweepResult, log } from "../job-runtime";
import { getDlqEntry, listDlq, type DlqSelection } from "../dlq/operations";
import { dlqFilterInputSchema, isEmptyFilter } from "../dlq/filters";
import { authenticateAdmin, redisAdminSessions, sameOrigin } from "./auth";
import { runDlqCommand } from "./commands";
import { listSchedules, setSchedulePaused } from "./schedules";

/** Where the admin API is mounted; the App Router catch-all under app/api/admin mirrors it. */
const ADMIN_API_PREFIX = "/api/admin";

export interface AdminApiDeps {
  /** `ADMIN_TOKEN`; undefined switches the admin API off (404). */
  adminToken: string | undefined;
  qstash: Pick<Client, "dlq" | "schedules" | "messages">;
  redis: Redis;
  clock: Clock;
  /** Jobs written with their domain change and not yet accepted by QStash. */
  outbox: { depth(): Promise<OutboxDepth>; sweep(): Promise<SweepResult> };
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

const bulkSchema = z.union([
  z.strictObject({
    dlqIds: z.array(z.string().check(z.minLength(1), z.maxLength(200))).check(z.minLength(1), z.maxLength(1000)),
  }),
  z.strictObject({ filter: dlqFilterInputSchema }),
  z.strictObject({ all: z.literal(true) }),
]);

/**
 * The admin API as one framework-free fetch handler:
 *
 *   GET    /dlq?job=&status=&from=&to=&cursor=&count=   list (decoded)
 *   GET    /dlq/:dlqId                                  one, with headers and the decoded answer
 *   POST   /dlq/:dlqId/retry     DELETE /dlq/:dlqId     one
 *   POST   /dlq/retry            POST   /dlq/delete     many: {dlqIds} | {filter} | {all: true}
 *   GET    /runs?limit=          GET    /runs/:messageId
 *   GET    /schedules            POST   /schedules/:id/pause|resume
 *   GET    /outbox               POST   /outbox/sweep     depth; publish leftovers now
 */
export async function handleAdminRequest(request: Request, deps: AdminApiDeps): Promise<Response> {
  const auth = await authenticateAdmin(request, deps.adminToken, deps.clock.now(), redisAdminSessions(deps.redis));
  if (!auth.ok) return reply(auth.status, { error: auth.error });
  const mutating = request.method !== "GET" && request.method !== "HEAD";
  if (mutating && auth.via === "cookie" && !sameOrigin(request)) return reply(403, { error: "cross-origin request refused" });

  const url = new URL(request.url);
  const path = url.pathname.startsWith(ADMIN_API_PREFIX) ? url.pathname.slice(ADMIN_API_PREFIX.length) : url.pathname;
  const segments = path.split("/").filter(Boolean).map(decodeSegment);
  try {
    return await route(request.method, segments, url.searchParams, request, deps);
  } catch (error) {
    if (error instanceof HttpError) return reply(error.status, { error: error.message, ...error.details });
    if (error instanceof QstashError) {
      // QStash's own answer (e.g. 404 for an id it no longer has) is safe to show; it never contains our token.
      const status = error.status === 404 ? 404 : 502;
      return reply(status, { error: `QStash: ${error.message}` });
    }
    log.error("admin_api_failed", { path, error });
    return reply(500, { error: "admin request failed" });
  }
}

async function route(
  method: string,
  segments: string[],
  query: URLSearchParams,
  request: Request,
  deps: AdminApiDeps,
): Promise<Response> {
  const [resource, id, action] = segments;
  if (resource === "dlq") {
    if (method === "GET" && segments.length === 1) {
      const filter = parseFilter(query);
      const count = query.has("count")
        ? z.pipe(z.coerce.number(), z.int()).check(z.gte(1), z.lte(100)).safeParse(query.get("count"))
        : null;
      if (count && !count.success) throw new HttpError(400, "count must be an integer from 1 to 100");
      const cursor = query.get("cursor") ?? undefined;
      const page = await listDlq(deps.qstash, { filter, ...(cursor && { cursor }), ...(count && { count: count.data }) });
      return reply(200, { messages: page.entries, ...(page.cursor && { cursor: page.cursor }) });
    }
    if (method === "POST" && segments.length === 2 && (id === "retry" || id === "delete")) {
      const { action: _action, ...outcome } = await runDlqCommand(deps, id, await parseSelection(request));
      return reply(200, outcome);
    }
    if (id && segments.length === 2 && method === "GET") {
      const entry = await getDlqEntry(deps.qstash, id);
      if (!entry) throw new HttpError(404, `no DLQ message ${id}`);
      return reply(200, { message: entry });
    }
    const one =
      id && segments.length === 2 && method === "DELETE"
        ? "delete"
        : id && action === "retry" && segments.length === 3 && method === "POST"
          ? "retry"
          : null;
    if (id && one) {
      const { action: _action, matched, ...outcome } = await runDlqCommand(deps, one, { dlqIds: [id] });
      if (matched === 0) throw new HttpError(404, `no DLQ message ${id}`);
      return reply(outcome.failed.length > 0 ? 502 : 200, outcome);
    }
  }
  if (resource === "runs" && method === "GET") {
    if (segments.length === 1) {
      const limit = z.catch(z.pipe(z.coerce.number(), z.int()).check(z.gte(1), z.lte(500)), 50).parse(query.get("limit") ?? 50);
      return reply(200, { runs: await listRecentRuns(deps.redis, limit) });
    }
    if (id && segments.length === 2) {
      // Before its first delivery a message has no record yet: QStash answers for it then.
      const run = await findRun(deps.redis, deps.qstash.messages, id);
      if (!run) throw new HttpError(404, `no message ${id}: not in QStash and no run recorded`);
      return reply(200, { run });
    }
  }
  if (resource === "schedules") {
    if (method === "GET" && segments.length === 1) return reply(200, { schedules: await listSchedules(deps.qstash) });
    if (method === "POST" && id && (action === "pause" || action === "resume") && segments.length === 3) {
      await setSchedulePaused(deps.qstash, id, action === "pause");
      return reply(200, { ok: true, scheduleId: id, isPaused: action === "pause" });
    }
  }
  if (resource === "outbox") {
    if (method === "GET" && segments.length === 1) return reply(200, { outbox: await deps.outbox.depth() });
    if (method === "POST" && id === "sweep" && segments.length === 2) {
      const swept = await deps.outbox.sweep();
      return reply(200, {
        ran: swept.ran,
        published: swept.published.length,
        pending: swept.pending.length,
        outbox: await deps.outbox.depth(),
      });
    }
  }
  return reply(404, { error: "not found" });
}

function parseFilter(query: URLSearchParams) {
  const raw: Record<string, string> = {};
  for (const name of ["job", "status", "from", "to"]) {
    const value = query.get(name);
    if (value !== null && value !== "") raw[name] = value;
  }
  const parsed = dlqFilterInputSchema.safeParse(raw);
  if (!parsed.success) throw new HttpError(400, `invalid filter: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

async function parseSelection(request: Request): Promise<DlqSelection> {
  let body: unknown;
  try {
    body = await request.json();
  } catch {
    throw new HttpError(400, "body must be JSON: {dlqIds: [...]} or {filter: {...}} or {all: true}");
  }
  const parsed = bulkSchema.safeParse(body);
  if (!parsed.success) throw new HttpError(400, "body must be {dlqIds: [...]} or {filter: {...}} or {all: true}");
  const selection = parsed.data;
  // An empty filter would silently mean "everything"; that must be asked for by name.
  if ("filter" in selection && isEmptyFilter(selection.filter))
    throw new HttpError(400, "empty filter: send {all: true} to target every message");
  return selection;
}

function reply(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", "cache-control": "no-store" },
  });
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
