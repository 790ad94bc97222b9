import { timingSafeEqual } from "node:crypto";
import { EventEmitter } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { systemClock, type StackClock } from "../clock";
import { dlqRoutes } from "./api/dlq-routes";
import { eventRoutes } from "./api/event-routes";
import { flowControlRoutes } from "./api/flow-control-routes";
import { messageRoutes } from "./api/message-routes";
import { publishRoutes } from "./api/publish-routes";
import { queueRoutes } from "./api/queue-routes";
import { scheduleRoutes } from "./api/schedule-routes";
import { topicRoutes } from "./api/topic-routes";
import { refusedByBrowserGuard } from "../browser-guard";
import { controlRoutes } from "./control";
import { randomId, type Core } from "./core";
import { faultRoutes, QStashFaults } from "./faults";
import { applyOutageFailure } from "../outage";
import { nextCronTime } from "./cron";
import { DEFAULT_DEV_PORT, DEV_CURRENT_SIGNING_KEY, DEV_NEXT_SIGNING_KEY, DEV_TOKEN } from "./credentials";
import { Dispatcher } from "./dispatcher";
import { ApiError } from "./errors";
import { readRequest, sendReply, type RequestContext, type Reply } from "./http";
import { SERVER_OPTIONS } from "../http";
import { EventLog } from "./log";
import { Persistence } from "./persistence";
import { matchRoute, type Route } from "./router";

export { DEV_CURRENT_SIGNING_KEY, DEV_NEXT_SIGNING_KEY, DEV_TOKEN, DEFAULT_DEV_PORT } from "./credentials";
export type { LogEvent, LogState } from "./log";
export type { QStashFaultConfig, QStashFaultEvent, QStashFaultState, QStashFaults } from "./faults";
export { signDelivery } from "./signing";

export const DEFAULT_DATA_FILE = ".local/qstash.json";
/** Per-attempt limit when a message sets no `Upstash-Timeout`; short, so a hung local handler shows up quickly. */
export const DEFAULT_TIMEOUT_MS = 30_000;

export interface QStashServerOptions {
  /** TCP port; 0 picks a free one. @default QSTASH_DEV_PORT, else 8080 (where the SDK's dev mode looks) */
  port?: number;
  /** Interface to bind. @default "127.0.0.1" (loopback only) */
  host?: string;
  /** Bearer token every /v2 call must carry. @default the official dev token */
  token?: string;
  /** Signs every delivery. @default the official dev current key */
  currentSigningKey?: string;
  /** Reported by GET /v2/keys. @default the official dev next key */
  nextSigningKey?: string;
  /** Time source for delays, retries, schedules and signatures. @default systemClock() */
  clock?: StackClock;
  /** JSON file that keeps state across restarts; null keeps it in memory. @default ".local/qstash.json" */
  dataFile?: string | null;
  /** Multiplies the default retry ladder (the order of delays stays). @default 1 */
  retryScale?: number;
  /** Wall-clock limit per attempt when a message has no Upstash-Timeout, ms. @default 30000 */
  defaultTimeoutMs?: number;
  /**
   * Time put in each signature's iat/nbf/exp, ms. A delivery physically happens now,
   * so the wall clock is the default even under a manual clock: an app that verifies
   * against real time (every app) then accepts fast-forwarded deliveries.
   * @default () => Date.now()
   */
  signingTime?: () => number;
  /** Events kept in memory for /v2/events. @default 10000 */
  maxEvents?: number;
  /** Id generator, e.g. for deterministic ids in tests. @default random `<prefix>_<24 alphanumerics>` */
  generateId?: (prefix: string) => string;
  /** Random source in [0, 1) for the duplicate and outage-rate faults. @default Math.random */
  random?: () => number;
}

export interface QStashServer {
  /** Base URL without a trailing slash, e.g. http://127.0.0.1:8080. */
  url: string;
  clock: StackClock;
  /** Stops delivering, flushes state to the data file and closes the port. */
  close(): Promise<void>;
  /** Resolves when no delivery is in flight and nothing is due at clock.now(). */
  idle(): Promise<void>;
  /** Advances a manual clock and waits for every delivery it triggers, retries falling due inside the window included. */
  advance(ms: number): Promise<void>;
  /** Emits "event" (LogEvent) for every state change and "fault" (QStashFaultEvent) for every injected fault. */
  events: EventEmitter;
  /** Duplicate deliveries and publish outages, the same switches `/__stack/faults` sets. */
  faults: QStashFaults;
  /** Wipes every message, DLQ entry, schedule, queue, URL group, flow-control key, dedup id and event. */
  reset(): void;
}

export async function startQStashServer(options: QStashServerOptions = {}): Promise<QStashServer> {
  const clock = options.clock ?? systemClock();
  const host = options.host ?? "127.0.0.1";
  // local/ is its own program; QSTASH_DEV_PORT is the variable the SDK's dev mode reads too.
  const port = options.port ?? (Number(process.env.QSTASH_DEV_PORT) || DEFAULT_DEV_PORT);
  const token = options.token ?? DEV_TOKEN;
  const keys = {
    current: options.currentSigningKey ?? DEV_CURRENT_SIGNING_KEY,
    next: options.nextSigningKey ?? DEV_NEXT_SIGNING_KEY,
  };
  const events = new EventEmitter();
  const log = new EventLog(events, options.maxEvents ?? 10_000);
  const dataFile = options.dataFile === undefined ? DEFAULT_DATA_FILE : options.dataFile;

  let dispatcher: Dispatcher | undefined;
  const persistence = new Persistence(
    dataFile,
    () => core.state,
    () => clock.now(),
  );
  const core: Core = {
    clock,
    state: persistence.load(),
    log,
    faults: new QStashFaults(clock, events, options.random ?? Math.random),
    config: {
      currentSigningKey: keys.current,
      nextSigningKey: keys.next,
      retryScale: options.retryScale ?? 1,
      defaultTimeoutMs: options.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS,
      signingTime: options.signingTime ?? (() => Date.now()),
    },
    id: options.generateId ?? randomId,
    nextSeq: () => ++core.state.seq,
    changed() {
      persistence.schedule();
      dispatcher?.requestPump();
    },
    limitsChanged() {
      dispatcher?.limitsChanged();
      core.changed();
    },
  };
  dispatcher = new Dispatcher(core);
  const now = clock.now();
  for (const schedule of core.state.schedules.values()) {
    // Firings that fell due while the server was down are skipped, not made up.
    if (schedule.nextScheduleTime !== undefined && schedule.nextScheduleTime < now)
      schedule.nextScheduleTime = nextCronTime(schedule.cron, now);
  }

  const reset = () => {
    const { state } = core;
    for (const map of [state.messages, state.dlq, state.schedules, state.queues, state.topics, state.flowControl, state.dedup])
      map.clear();
    log.clear();
    core.faults.reset();
    core.changed();
  };
  const deps = { core, dispatcher };
  const apiRoutes: Route[] = [
    ...eventRoutes(deps, keys),
    ...publishRoutes(deps),
    ...messageRoutes(deps),
    ...dlqRoutes(deps),
    ...scheduleRoutes(deps),
    ...queueRoutes(deps),
    ...topicRoutes(deps),
    ...flowControlRoutes(deps),
  ];
  const stackRoutes = [...controlRoutes(core, dispatcher, reset), ...faultRoutes(core.faults)];

  const authorized = (ctx: RequestContext) => {
    const bearer = /^Bearer\s+(.*)$/i.exec(ctx.headers.authorization ?? "")?.[1]?.trim();
    const given = bearer ?? ctx.query.get("qstash_token") ?? "";
    const a = Buffer.from(given);
    const b = Buffer.from(token);
    return a.length === b.length && timingSafeEqual(a, b);
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Before the body is read: a rebound host or another site's page gets nothing, controls included.
    const refused = refusedByBrowserGuard(req, { checkOrigin: true });
    if (refused) {
      req.resume();
      return sendReply(res, { status: 403, body: { error: refused } });
    }
    const ctx = await readRequest(req);
    const isApi = ctx.path.startsWith("/v2/");
    const outage = isApi ? core.faults.publishFailure(ctx.method, ctx.path) : null;
    if (outage) return applyOutageFailure(res, outage, "injected fault: the publish API is down");
    // /v2 always needs the token; the controls and dashboard only when reached from off the machine.
    if ((isApi || !ctx.loopback) && !authorized(ctx))
      return sendReply(res, { status: 401, body: { error: "Unauthorized: missing or wrong bearer token" } });
    const match = matchRoute(isApi ? apiRoutes : stackRoutes, ctx.method, ctx.path);
    let reply: Reply;
    if (match.kind === "found") reply = await match.route.handler(ctx, match.params);
    else if (match.kind === "wrong-method")
      reply = { status: 405, body: { error: `method ${ctx.method} not allowed; use ${match.allowed.join(", ")}` } };
    else reply = { status: 404, body: { error: `no route for ${ctx.method} ${ctx.path}` } };
    sendReply(res, reply);
  }

  const server = createServer(SERVER_OPTIONS, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (error instanceof ApiError) return sendReply(res, { status: error.status, body: { error: error.message } });
      console.error("[local/qstash] request failed:", error);
      sendReply(res, { status: 500, body: { error: "the emulator failed unexpectedly; see its log" } });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostForUrl = host.includes(":") ? `[${host}]` : host;
  dispatcher.requestPump();

  let closing: Promise<void> | undefined;
  return {
    url: `http://${hostForUrl}:${address.port}`,
    clock,
    events,
    faults: core.faults,
    idle: () => dispatcher.idle(),
    advance: (ms) => dispatcher.advance(ms),
    reset,
    close() {
      closing ??= (async () => {
        await dispatcher.close();
        persistence.flush();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      })();
      return closing;
    },
  };
}
