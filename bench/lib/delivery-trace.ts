/**
 * Where a job's publish → done time goes, hop by hop. Both processes of scenario 6 stamp
 * their HTTP events from Node's diagnostics channels (node:http's server and client,
 * undici's fetch) on the machine's monotonic clock (`process.hrtime`), which every process
 * shares, and `breakdown` joins the two logs into phases per job; `gcPauses` says how many
 * jobs each process's garbage collector held up. Nothing in app/, lib/ or
 * local/ knows about it. Tracing costs CPU (the bench process's context tracking touches
 * every promise), so it runs in a diagnostic run of its own, never in a timed one.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import http, { type ClientRequest, type IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import { constants, type EntryType, PerformanceObserver, performance } from "node:perf_hooks";
import { percentile } from "./measure";

/**
 * One stamp: when (monotonic ms), what, and its key. `port` is the client's end of the
 * connection, the same number on both sides, which is how a request sent by one process is
 * found among those the other received: requests on one keep-alive connection go in order.
 */
export interface Stamp {
  at: number;
  kind: StampKind;
  /** The bench's number for a publish call (publish-sent, publish-answered). */
  publish?: number;
  /** Deliveries and the route's Redis calls. */
  messageId?: string;
  /** Every request and arrival. */
  port?: number;
  /** A garbage-collector pause (kind "gc"): how long, and whether it was a full (mark-compact) one. */
  ms?: number;
  major?: boolean;
}

type StampKind =
  | "publish-sent"
  | "publish-answered"
  | "publish-in"
  | "delivery-out"
  | "delivery-in"
  | "redis-sent"
  | "redis-in"
  | "redis-out"
  | "redis-answered"
  | "gc";

/** Monotonic ms, the same clock in every process on the machine. */
const monotonicMs = () => Number(process.hrtime.bigint()) / 1e6;
/** `performance.now()` runs on the same clock from a per-process origin. */
export const fromPerformanceNow = (ms: number) => ms + (monotonicMs() - performance.now());

type Handler = (message: unknown, name: string | symbol) => void;

/** Subscribes `handlers` and records this process's garbage-collector pauses into `stamps`. */
function listen(stamps: Stamp[], handlers: Record<string, Handler>): () => void {
  for (const [name, handler] of Object.entries(handlers)) subscribe(name, handler);
  const gc = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as { detail?: { kind?: number } }).detail?.kind;
      stamps.push({
        at: fromPerformanceNow(entry.startTime),
        kind: "gc",
        ms: entry.duration,
        major: kind === constants.NODE_PERFORMANCE_GC_MAJOR,
      });
    }
  });
  gc.observe({ entryTypes: ["gc" as EntryType] });
  return () => {
    gc.disconnect();
    for (const [name, handler] of Object.entries(handlers)) unsubscribe(name, handler);
  };
}

const pathOf = (request: IncomingMessage) => request.url ?? "";

/**
 * In the stack process: publishes arriving at the QStash server (its port), Redis REST calls
 * arriving at and answered by the Redis server (its port), and deliveries leaving.
 * A delivery is stamped when its bytes are handed to the socket (`http.client.request.start`
 * is published as node:http flushes the request, not when it is created).
 */
export function traceStack(ports: { qstash: number; redis: number }): { stop(): Stamp[] } {
  const stamps: Stamp[] = [];
  const stop = listen(stamps, {
    "http.server.request.start": (message) => {
      const { request, socket } = message as { request: IncomingMessage; socket: Socket };
      const at = monotonicMs();
      if (socket.localPort === ports.redis) stamps.push({ at, kind: "redis-in", port: socket.remotePort! });
      else if (socket.localPort === ports.qstash && pathOf(request).startsWith("/v2/publish/"))
        stamps.push({ at, kind: "publish-in", port: socket.remotePort! });
    },
    // Emitted once the answer's last write completed: later than the bytes left when the process was preempted in between.
    "http.server.response.finish": (message) => {
      const { request } = message as { request: IncomingMessage };
      const socket = request.socket;
      if (socket.localPort === ports.redis) stamps.push({ at: monotonicMs(), kind: "redis-out", port: socket.remotePort! });
    },
    "http.client.request.start": (message) => {
      const { request } = message as { request: ClientRequest };
      const messageId = request.getHeader("upstash-message-id");
      if (typeof messageId === "string") stamps.push({ at: monotonicMs(), kind: "delivery-out", messageId });
    },
  });
  return {
    stop() {
      stop();
      return stamps;
    },
  };
}

type Context = { publish: number } | { messageId: string };

/**
 * In the app's process: publishes leaving (run them inside `publishing`), deliveries arriving
 * at the route, and the route's Redis calls, told apart by the delivery they serve through
 * async context, as several jobs overlap at a steady rate.
 */
export function traceApp(routePath: string): {
  publishing<T>(publish: number, fn: () => T): T;
  stop(): Stamp[];
} {
  const context = new AsyncLocalStorage<Context>();
  const stamps: Stamp[] = [];
  // A call the app makes: whose it is, and the connection it went out on once known.
  type Call = { context: Context; port: number; madeAt: number };
  const calls = new WeakMap<object, Call>();
  const sent = (call: Call, port: number, at: number) => {
    call.port = port;
    const { context } = call;
    stamps.push(
      "publish" in context
        ? { at, kind: "publish-sent", publish: context.publish, port }
        : { at, kind: "redis-sent", messageId: context.messageId, port },
    );
  };
  const answered = (call: Call | undefined) => {
    if (!call?.port) return;
    const at = monotonicMs();
    const { context, port } = call;
    stamps.push(
      "publish" in context
        ? { at, kind: "publish-answered", publish: context.publish, port }
        : { at, kind: "redis-answered", messageId: context.messageId, port },
    );
  };
  const made = (request: object, madeAt = monotonicMs()) => {
    const current = context.getStore();
    if (current) calls.set(request, { context: current, port: 0, madeAt });
  };
  // node:http has no channel for a request being made (Node 20), so its `request` is wrapped while tracing.
  const request = http.request;
  http.request = function (this: unknown, ...args: Parameters<typeof http.request>) {
    const madeAt = monotonicMs();
    const created = request.apply(this, args);
    made(created, madeAt);
    return created;
  } as typeof http.request;
  const stop = listen(stamps, {
    "http.server.request.start": (message) => {
      const { request } = message as { request: IncomingMessage };
      const messageId = request.headers["upstash-message-id"];
      if (typeof messageId !== "string" || !pathOf(request).startsWith(routePath)) return;
      stamps.push({ at: monotonicMs(), kind: "delivery-in", messageId });
      // The route's handler runs from here on, so its calls inherit this context.
      context.enterWith({ messageId });
    },
    // The route's claim client goes over node:http (ADR 0024), the publisher over fetch. node:http publishes
    // this once the request is written, which the stack may already have read: the call counts as sent
    // when it was made, and its connection is known from here.
    "http.client.request.start": (message) => {
      const { request } = message as { request: ClientRequest };
      const call = calls.get(request);
      const port = request.socket?.localPort;
      if (call && port) sent(call, port, call.madeAt);
    },
    "http.client.response.finish": (message) => answered(calls.get((message as { request: ClientRequest }).request)),
    // Read where fetch is called: a queued request's headers may be written from another request's callback.
    "undici:request:create": (message) => made((message as { request: object }).request),
    "undici:client:sendHeaders": (message) => {
      const { request, socket } = message as { request: object; socket: Socket };
      const call = calls.get(request);
      if (call) sent(call, socket.localPort!, monotonicMs());
    },
    "undici:request:headers": (message) => answered(calls.get((message as { request: object }).request)),
  });
  return {
    publishing: (publish, fn) => context.run({ publish }, fn),
    stop() {
      stop();
      http.request = request;
      context.disable();
      return stamps;
    },
  };
}

/** A job as the bench saw it: publish call and route's answer on the monotonic clock. */
export interface TracedJob {
  publish: number;
  messageId: string;
  calledAt: number;
  doneAt: number;
}

/**
 * Phase name → ms per job, in path order; `process` says whose time it is ("between": the
 * kernel and waking the receiver). Last come each side's sum per job and the total.
 */
export interface Phase {
  name: string;
  process: "app" | "stack" | "between" | "all";
  ms: number[];
}

/**
 * Joins both processes' stamps into phases per job. A request one process sent is matched to
 * the first unmatched arrival on the same connection (port) at or after it; jobs with a hop
 * missing from either log (in flight when tracing started or stopped) are left out.
 */
export function breakdown(jobs: TracedJob[], app: Stamp[], stack: Stamp[]): { phases: Phase[]; jobs: number } {
  const arrivals = byPort(stack);
  const find = (stamps: Stamp[], kind: StampKind, test: (stamp: Stamp) => boolean) =>
    stamps.find((stamp) => stamp.kind === kind && test(stamp));
  const phases = new Map<string, Phase>();
  const record = (name: string, process: Phase["process"], ms: number) => {
    if (!phases.has(name)) phases.set(name, { name, process, ms: [] });
    phases.get(name)!.ms.push(ms);
  };
  const sums = { app: [] as number[], stack: [] as number[], between: [] as number[] };
  const totals: number[] = [];
  let complete = 0;
  for (const job of [...jobs].sort((a, b) => a.calledAt - b.calledAt)) {
    const sent = find(app, "publish-sent", (stamp) => stamp.publish === job.publish);
    const received = sent && arrivals.take("publish-in", sent.port!, sent.at);
    const out = find(stack, "delivery-out", (stamp) => stamp.messageId === job.messageId);
    const delivered = find(app, "delivery-in", (stamp) => stamp.messageId === job.messageId);
    const redis = app.filter(
      (stamp) => (stamp.kind === "redis-sent" || stamp.kind === "redis-answered") && stamp.messageId === job.messageId,
    );
    const calls = redis
      .filter((stamp) => stamp.kind === "redis-sent")
      .map((call) => {
        const answered = redis.find(
          (stamp) => stamp.kind === "redis-answered" && stamp.port === call.port && stamp.at >= call.at,
        );
        const served = arrivals.take("redis-in", call.port!, call.at);
        const answeredByStack = served && arrivals.take("redis-out", call.port!, served.at);
        return { sent: call.at, answered: answered?.at, in: served?.at, out: answeredByStack?.at };
      });
    if (
      !sent ||
      !received ||
      !out ||
      !delivered ||
      calls.some((call) => call.answered === undefined || call.in === undefined || call.out === undefined)
    )
      continue;
    complete++;
    const sum = { app: 0, stack: 0, between: 0 };
    const add = (name: string, process: (typeof SIDES)[number], ms: number) => {
      sum[process] += ms;
      record(name, process, ms);
    };
    add("publish: the call until its request is on the wire (publishing SDK, fetch)", "app", sent.at - job.calledAt);
    add("publish: wire → the stack has it (kernel, wake-up)", "between", received.at - sent.at);
    add(
      "stack: publish in → delivery on the wire (parse, store, a free delivery slot, sign, send)",
      "stack",
      out.at - received.at,
    );
    add(
      "delivery: wire → the route has it (kernel, wake-up, the app reading the publish answer)",
      "between",
      delivered.at - out.at,
    );
    let from = delivered.at;
    calls.forEach((call, index) => {
      const n = index + 1;
      add(
        n === 1
          ? "route: delivery in → Redis call 1 sent (body, signature, payload)"
          : `route: Redis call ${index} answered → call ${n} sent`,
        "app",
        call.sent - from,
      );
      add(`Redis call ${n}: wire → the stack has it`, "between", call.in! - call.sent);
      add(`Redis call ${n}: the stack runs it and answers`, "stack", call.out! - call.in!);
      add(`Redis call ${n}: answer → the route has it`, "between", call.answered! - call.out!);
      from = call.answered!;
    });
    add(`route: last Redis answer → done`, "app", job.doneAt - from);
    for (const side of SIDES) sums[side].push(sum[side]);
    totals.push(job.doneAt - job.calledAt);
  }
  const all = SIDES.map((side): Phase => ({ name: `sum of the [${side}] phases`, process: "all", ms: sums[side] }));
  return { phases: [...phases.values(), ...all, { name: "total: publish → done", process: "all", ms: totals }], jobs: complete };
}

const SIDES = ["app", "stack", "between"] as const;

/** The stack's arrivals and answers per connection, each taken once, earliest first. */
function byPort(stack: Stamp[]) {
  const lists = new Map<string, Array<{ at: number; taken: boolean }>>();
  for (const stamp of stack) {
    if (stamp.port === undefined) continue;
    const key = `${stamp.kind}:${stamp.port}`;
    if (!lists.has(key)) lists.set(key, []);
    lists.get(key)!.push({ at: stamp.at, taken: false });
  }
  for (const list of lists.values()) list.sort((a, b) => a.at - b.at);
  return {
    take(kind: "publish-in" | "redis-in" | "redis-out", port: number, notBefore: number) {
      const entry = lists.get(`${kind}:${port}`)?.find((candidate) => !candidate.taken && candidate.at >= notBefore);
      if (entry) entry.taken = true;
      return entry;
    },
  };
}

/** p50 and p95 of each phase. */
export function phaseTable(phases: Phase[]): Array<{ name: string; process: Phase["process"]; p50: number; p95: number }> {
  return phases.map(({ name, process, ms }) => {
    const sorted = [...ms].sort((a, b) => a - b);
    return { name, process, p50: percentile(sorted, 50), p95: percentile(sorted, 95) };
  });
}

/**
 * The garbage-collector pauses one process logged, and how many jobs one of them held up:
 * a pause overlapping a job's publish → done, among all jobs and among those at or above
 * the p95 (the tail the target is about).
 */
export function gcPauses(
  jobs: TracedJob[],
  stamps: Stamp[],
): { pauses: number; major: number; longestMs: number; jobsHit: number; tailHit: number } {
  const window = { from: Math.min(...jobs.map((job) => job.calledAt)), to: Math.max(...jobs.map((job) => job.doneAt)) };
  const pauses = stamps.filter((stamp) => stamp.kind === "gc" && stamp.at + stamp.ms! >= window.from && stamp.at <= window.to);
  const hit = (job: TracedJob) => pauses.some((pause) => pause.at <= job.doneAt && pause.at + pause.ms! >= job.calledAt);
  const totals = jobs.map((job) => job.doneAt - job.calledAt).sort((a, b) => a - b);
  const tail = jobs.filter((job) => job.doneAt - job.calledAt >= percentile(totals, 95));
  const share = (some: TracedJob[]) => (some.length === 0 ? 0 : some.filter(hit).length / some.length);
  return {
    pauses: pauses.length,
    major: pauses.filter((pause) => pause.major).length,
    longestMs: Math.max(0, ...pauses.map((pause) => pause.ms!)),
    jobsHit: share(jobs),
    tailHit: share(tail),
  };
}
