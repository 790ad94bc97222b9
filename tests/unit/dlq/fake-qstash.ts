import { http, HttpResponse } from "msw";

/** A DLQ entry in QStash's wire shape (what `GET /v2/dlq` returns). */
export interface WireDlqMessage {
  dlqId: string;
  messageId: string;
  url: string;
  method?: string;
  createdAt: number;
  label?: string;
  labels?: string[];
  header?: Record<string, string[]>;
  body?: string;
  bodyBase64?: string;
  responseStatus?: number;
  responseHeader?: Record<string, string[]>;
  responseBody?: string;
  responseBodyBase64?: string;
  maxRetries?: number;
  failureCallback?: string;
}

interface WireSchedule {
  scheduleId: string;
  cron: string;
  destination: string;
  createdAt: number;
  method: string;
  retries: number;
  isPaused: boolean;
  body?: string;
  label?: string;
}

const b64 = (text: string) => Buffer.from(text).toString("base64");

/** A failed `test` job as our route would have answered it. */
export function failedTestJob(index: number, overrides: Partial<WireDlqMessage> = {}): WireDlqMessage {
  return {
    dlqId: `dlq_${index}`,
    messageId: `msg_${index}`,
    url: "https://app.test/api/jobs/test",
    method: "POST",
    createdAt: 1_767_225_600_000 + index * 1000,
    label: "test",
    labels: ["test"],
    header: { "Content-Type": ["application/json"] },
    body: JSON.stringify({ message: `boom ${index}`, failWith: "non-retryable" }),
    responseStatus: 489,
    responseHeader: { "Upstash-Nonretryable-Error": ["true"] },
    responseBodyBase64: b64(
      JSON.stringify({ error: `test job asked to fail: boom ${index}`, job: "test", messageId: `msg_${index}` }),
    ),
    maxRetries: 3,
    failureCallback: "https://app.test/api/qstash/failure",
    ...overrides,
  };
}

/**
 * An in-memory QStash DLQ, schedules and pending-messages API for msw, close enough
 * to the real one for the official client: repeated `dlqIds`, label/status filters, cursors.
 */
export function fakeQStash(baseUrl: string, options: { pageSize?: number } = {}) {
  const state = {
    dlq: [] as WireDlqMessage[],
    schedules: [] as WireSchedule[],
    /** Messages QStash still holds (not yet delivered): what `GET /v2/messages/:id` finds. */
    pending: [] as Array<{ messageId: string; url: string; createdAt: number; notBefore?: number }>,
    /** Answer every `GET /v2/messages/:id` with this status instead (an outage). */
    messagesStatus: null as number | null,
    retried: [] as string[],
    requests: [] as Array<{ method: string; path: string; query: string; authorization: string | null }>,
    nextMessage: 1000,
    failNextRetry: false,
  };
  const pageSize = options.pageSize ?? 100;

  const matching = (query: URLSearchParams) => {
    const ids = query.getAll("dlqIds");
    if (ids.length > 0) return state.dlq.filter((message) => ids.includes(message.dlqId));
    const labels = query.getAll("label");
    const statuses = query.getAll("responseStatus").map(Number);
    const from = query.get("fromDate");
    const to = query.get("toDate");
    return state.dlq.filter(
      (message) =>
        (labels.length === 0 || (message.labels ?? []).some((label) => labels.includes(label))) &&
        (statuses.length === 0 || statuses.includes(message.responseStatus ?? 0)) &&
        (from === null || message.createdAt >= Number(from)) &&
        (to === null || message.createdAt <= Number(to)),
    );
  };
  const page = (query: URLSearchParams) => {
    const all = matching(query);
    const start = Number(query.get("cursor") ?? 0);
    const count = Math.min(Number(query.get("count") ?? pageSize), pageSize);
    const slice = all.slice(start, start + count);
    const next = start + count < all.length ? String(start + count) : undefined;
    return { slice, next };
  };
  const record = (request: Request) => {
    const url = new URL(request.url);
    state.requests.push({
      method: request.method,
      path: url.pathname,
      query: url.search,
      authorization: request.headers.get("authorization"),
    });
    return url;
  };

  const handlers = [
    http.get(`${baseUrl}/v2/messages/:id`, ({ request, params }) => {
      record(request);
      if (state.messagesStatus) return HttpResponse.json({ error: "unavailable" }, { status: state.messagesStatus });
      const message = state.pending.find((candidate) => candidate.messageId === params.id);
      if (!message) return HttpResponse.json({ error: `message ${String(params.id)} not found` }, { status: 404 });
      return HttpResponse.json({ ...message, method: "POST", maxRetries: 3 });
    }),
    http.get(`${baseUrl}/v2/dlq`, ({ request }) => {
      const url = record(request);
      const { slice, next } = page(url.searchParams);
      return HttpResponse.json({ messages: slice, ...(next && { cursor: next }) });
    }),
    http.post(`${baseUrl}/v2/dlq/retry`, ({ request }) => {
      const url = record(request);
      if (state.failNextRetry) {
        state.failNextRetry = false;
        return HttpResponse.json({ error: "temporarily unavailable" }, { status: 503 });
      }
      const targets = matching(url.searchParams);
      state.dlq = state.dlq.filter((message) => !targets.includes(message));
      state.retried.push(...targets.map((message) => message.dlqId));
      return HttpResponse.json({ responses: targets.map(() => ({ messageId: `msg_${++state.nextMessage}` })) });
    }),
    http.delete(`${baseUrl}/v2/dlq/:dlqId`, ({ request, params }) => {
      record(request);
      const before = state.dlq.length;
      state.dlq = state.dlq.filter((message) => message.dlqId !== params.dlqId);
      return before === state.dlq.length ? HttpResponse.json({ error: "not found" }, { status: 404 }) : new HttpResponse(null);
    }),
    http.delete(`${baseUrl}/v2/dlq`, ({ request }) => {
      const url = record(request);
      const targets = matching(url.searchParams);
      state.dlq = state.dlq.filter((message) => !targets.includes(message));
      return HttpResponse.json({ deleted: targets.length });
    }),
    http.get(`${baseUrl}/v2/schedules`, ({ request }) => {
      record(request);
      return HttpResponse.json(state.schedules);
    }),
    http.patch(`${baseUrl}/v2/schedules/:id/:action`, ({ request, params }) => {
      record(request);
      const schedule = state.schedules.find((candidate) => candidate.scheduleId === params.id);
      if (!schedule) return HttpResponse.json({ error: "schedule not found" }, { status: 404 });
      schedule.isPaused = params.action === "pause";
      return new HttpResponse(null);
    }),
  ];
  return { handlers, state };
}
