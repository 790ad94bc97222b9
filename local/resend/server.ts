import { randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { systemClock, type StackClock } from "../clock";
import { refusedByBrowserGuard } from "../browser-guard";
import { listen, readBody, SERVER_OPTIONS } from "../http";
import { handleApi, isApiPath } from "./api";
import { ResendApiError } from "./errors";
import { FaultController, parseFaultConfig } from "./faults";
import { MAX_BODY_BYTES, sendHtml, sendJson } from "./http";
import { IdempotencyStore } from "./idempotency";
import { renderEmail, renderInbox, renderNotFound } from "./inbox";
import { DEFAULT_RATE_LIMIT_PER_SECOND, RateLimiter } from "./rate-limit";
import { EmailStore, type CapturedEmail } from "./store";

export type { CapturedEmail } from "./store";
export type { FaultEvent } from "./faults";
export { DEFAULT_RATE_LIMIT_PER_SECOND, RATE_LIMIT_VARIABLE, RESEND_RATE_LIMIT_PER_SECOND, rateLimitFromEnv } from "./rate-limit";

export const DEFAULT_PORT = 8025;

export interface ResendServerOptions {
  /** TCP port; 0 picks a free one. @default 8025 */
  port?: number;
  /** Interface to bind. @default "127.0.0.1" */
  host?: string;
  /** Time source for rate-limit windows, idempotency retention, latency and scheduling. @default systemClock() */
  clock?: StackClock;
  /** Requests per second per API key; `RESEND_RATE_LIMIT_PER_SECOND` (2) matches Resend's default. @default 10 */
  rateLimitPerSecond?: number;
  /** JSON file that keeps captured mail across restarts; null keeps it in memory. @default null */
  dataFile?: string | null;
  /** Random source in [0, 1) for the `errorRate` fault. @default Math.random */
  random?: () => number;
  /** Id generator for emails. @default crypto.randomUUID */
  generateId?: () => string;
  /** Captured emails kept; the oldest are dropped beyond this. @default 1000 */
  maxEmails?: number;
}

export interface ResendServer {
  /** Base URL for `RESEND_BASE_URL`, without a trailing slash. */
  url: string;
  /** Every accepted email, oldest first. */
  emails(): CapturedEmail[];
  /** Runtime fault switches, the same ones `POST /__faults` sets. */
  faults: FaultController;
  /**
   * "email" (CapturedEmail) for each accepted email, after it is stored;
   * "fault" (FaultEvent) whenever a fault is applied to a send.
   */
  events: EventEmitter;
  /** Clears mail, idempotency keys, rate-limit windows and faults. */
  reset(): void;
  close(): Promise<void>;
}

export async function startResendServer(options: ResendServerOptions = {}): Promise<ResendServer> {
  const clock = options.clock ?? systemClock();
  const host = options.host ?? "127.0.0.1";
  const store = new EmailStore({ dataFile: options.dataFile ?? null, maxEmails: options.maxEmails ?? 1_000 });
  const faults = new FaultController(options.random ?? Math.random);
  const events = new EventEmitter();
  const idempotency = new IdempotencyStore(clock);
  const rateLimiter = new RateLimiter(clock, options.rateLimitPerSecond ?? DEFAULT_RATE_LIMIT_PER_SECOND);
  const pendingDelays = new Set<() => void>();
  let closed = false;

  const deps = {
    clock,
    store,
    idempotency,
    faults,
    events,
    rateLimiter,
    generateId: options.generateId ?? randomUUID,
    delay(ms: number) {
      return new Promise<boolean>((resolve) => {
        const done = () => {
          pendingDelays.delete(done);
          cancel();
          resolve(!closed);
        };
        const cancel = clock.at(clock.now() + ms, done);
        pendingDelays.add(done);
      });
    },
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    const path = url.pathname.replace(/\/+$/, "") || "/";
    const method = req.method ?? "GET";
    // The inbox shows raw invite and sign-in links: no rebound host, no other site's page.
    const refused = refusedByBrowserGuard(req, { checkOrigin: true });
    if (refused) return sendJson(res, 403, { statusCode: 403, name: "forbidden", message: refused });
    const body = await readBody(req, MAX_BODY_BYTES);
    if (body === null) throw new ResendApiError(413, "validation_error", "The request body is too large.");

    if (isApiPath(path)) return handleApi(req, res, url, path, body, deps);
    if (method === "GET" && path === "/") return sendHtml(res, 200, renderInbox(store.all(), clock.now()));
    const inboxId = /^\/inbox\/([^/]+)$/.exec(path)?.[1];
    if (method === "GET" && inboxId) {
      const email = store.get(decodeURIComponent(inboxId));
      return email
        ? sendHtml(res, 200, renderEmail(email, clock.now()))
        : sendHtml(res, 404, renderNotFound(decodeURIComponent(inboxId)));
    }
    if (path === "/__emails" && method === "GET") {
      const to = url.searchParams.get("to");
      return sendJson(res, 200, to ? store.all().filter((email) => email.to.includes(to)) : store.all());
    }
    if (path === "/__emails" && method === "DELETE") {
      const deleted = store.all().length;
      store.clear();
      return sendJson(res, 200, { deleted });
    }
    const controlId = /^\/__emails\/([^/]+)$/.exec(path)?.[1];
    if (controlId && method === "GET") {
      const email = store.get(decodeURIComponent(controlId));
      return email ? sendJson(res, 200, email) : sendJson(res, 404, { error: "no such email" });
    }
    if (path === "/__faults") {
      if (method === "GET") return sendJson(res, 200, faults.get());
      if (method === "DELETE") {
        faults.clear();
        return sendJson(res, 200, faults.get());
      }
      if (method === "POST" || method === "PUT") {
        try {
          faults.set(parseFaultConfig(JSON.parse(body || "{}")));
        } catch (error) {
          return sendJson(res, 400, { error: error instanceof Error ? error.message : String(error) });
        }
        return sendJson(res, 200, faults.get());
      }
    }
    throw new ResendApiError(404, "not_found", "The requested endpoint does not exist.");
  }

  const server = createServer(SERVER_OPTIONS, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (error instanceof ResendApiError) return sendJson(res, error.statusCode, error.toBody());
      console.error("[local/resend] request failed:", error);
      sendJson(res, 500, {
        statusCode: 500,
        name: "internal_server_error",
        message: "The emulator failed unexpectedly; see its log.",
      });
    });
  });

  const baseUrl = await listen(server, options.port ?? DEFAULT_PORT, host);

  return {
    url: baseUrl,
    emails: () => store.all(),
    faults,
    events,
    reset() {
      store.clear();
      idempotency.clear();
      rateLimiter.clear();
      faults.clear();
    },
    async close() {
      closed = true;
      for (const done of [...pendingDelays]) done();
      faults.releaseHung();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
