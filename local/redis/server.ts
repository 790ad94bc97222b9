import { timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { refusedByBrowserGuard } from "../browser-guard";
import { listen, readBody, SERVER_OPTIONS } from "../http";
import { createEmbeddedEngine } from "./embedded-engine";
import { TransactionAbortedError, type Engine } from "./engine";
import { encodeOutcome, parseBatch, parseSingle, ProtocolError } from "./protocol";
import { RedisFaults } from "./faults";
import { applyOutageFailure } from "../outage";
import { createProxyEngine } from "./proxy-engine";
import { ScriptCache, withScripts } from "./scripts";

export const DEFAULT_PORT = 8079;
export const DEFAULT_TOKEN = "local-redis-token";

export interface RedisRestServerOptions {
  /** TCP port; 0 picks a free one. @default 8079 */
  port?: number;
  /** Interface to bind. @default "127.0.0.1" */
  host?: string;
  /** Bearer token clients must send. @default "local-redis-token" */
  token?: string;
  /** Proxy to this Redis (`redis://…`) instead of the embedded in-memory engine. */
  redisUrl?: string;
  /** Embedded engine only: keep the data in this JSON file across restarts. @default in memory only */
  dataFile?: string | null;
  /** Time source for fault windows, epoch ms. @default Date.now */
  now?: () => number;
}

export interface RedisRestServer {
  /** Base URL for `UPSTASH_REDIS_REST_URL`, without a trailing slash. */
  url: string;
  /** The token for `UPSTASH_REDIS_REST_TOKEN`. */
  token: string;
  /** Stops listening, drops open connections and releases the backend. */
  close(): Promise<void>;
  /** Deletes every key in the backend. */
  flush(): Promise<void>;
  /** Outage windows, the same switch `/__faults` sets. */
  faults: RedisFaults;
}

/** Request bodies above this are refused (the hosted service caps requests too). */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

const WELCOME = "Welcome to the local Upstash Redis REST emulator. POST a JSON command array to /, /pipeline or /multi-exec.\n";

type Endpoint = "single" | "pipeline" | "multi";
const ENDPOINTS: Record<string, Endpoint> = { "/": "single", "/pipeline": "pipeline", "/multi-exec": "multi" };

export async function startRedisRestServer(options: RedisRestServerOptions = {}): Promise<RedisRestServer> {
  const host = options.host ?? "127.0.0.1";
  const token = options.token ?? DEFAULT_TOKEN;
  const scripts = new ScriptCache();
  const engine: Engine = options.redisUrl
    ? withScripts(await createProxyEngine(options.redisUrl), scripts, { proxied: true })
    : withScripts(createEmbeddedEngine({ dataFile: options.dataFile ?? null }), scripts, { proxied: false });
  // The hosted service uses this to route reads to a caught-up replica; one node
  // is always caught up, so any fresh value will do.
  let syncToken = 0;
  const faults = new RedisFaults(options.now ?? Date.now);

  const server = createServer(SERVER_OPTIONS, (req, res) => {
    res.setHeader("upstash-sync-token", String(++syncToken));
    handle(req, res).catch((error: unknown) => {
      console.error("[local/redis] request failed:", error);
      if (!res.headersSent) sendJson(res, 500, { error: `ERR ${error instanceof Error ? error.message : String(error)}` });
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = requestUrl(req.url ?? "/");
    const path = url.pathname.replace(/\/+$/, "") || "/";
    const method = req.method ?? "GET";
    // The dev token is public: without this a web page could read the data through a rebound host.
    const refused = refusedByBrowserGuard(req, { checkOrigin: true });
    if (refused) {
      req.resume();
      return sendJson(res, 403, { error: `ERR ${refused}` });
    }
    if (path === "/__faults") return handleFaults(req, res, url, method);
    if (method === "GET" || method === "HEAD") {
      if (path !== "/")
        return sendJson(res, 404, { error: "ERR path-style commands are not supported; POST a JSON command array" });
      res.writeHead(200, { "content-type": "text/plain; charset=utf-8" });
      res.end(method === "HEAD" ? undefined : WELCOME);
      return;
    }
    if (method !== "POST" && method !== "PUT") {
      res.setHeader("allow", "GET, HEAD, POST, PUT");
      return sendJson(res, 405, { error: "Method not allowed" });
    }
    const stream = /^\/(p?subscribe)\/(.+)$/.exec(path);
    if (stream) {
      if (!authorized(req, url, token)) return sendJson(res, 401, { error: "Unauthorized" });
      req.resume();
      return streamMessages(req, res, stream[1] === "psubscribe", stream[2]!.split("/").map(decodeURIComponent));
    }
    const endpoint = ENDPOINTS[path];
    if (!endpoint) return sendJson(res, 404, { error: `ERR unknown endpoint ${path}` });
    const failure = faults.nextFailure();
    if (failure) return applyOutageFailure(res, failure, "ERR injected fault: the database is unreachable");
    if (!authorized(req, url, token)) return sendJson(res, 401, { error: "Unauthorized" });

    const body = await readBody(req, MAX_BODY_BYTES);
    if (body === null) return sendJson(res, 413, { error: "ERR request body too large" });
    const base64 = String(req.headers["upstash-encoding"] ?? "").toLowerCase() === "base64";
    try {
      if (endpoint === "single") {
        const [outcome] = await engine.exec([parseSingle(body)], false);
        return sendJson(res, "error" in outcome! ? 400 : 200, encodeOutcome(outcome!, base64));
      }
      const outcomes = await engine.exec(parseBatch(body), endpoint === "multi");
      return sendJson(
        res,
        200,
        outcomes.map((outcome) => encodeOutcome(outcome, base64)),
      );
    } catch (error) {
      if (error instanceof ProtocolError || error instanceof TransactionAbortedError) {
        return sendJson(res, 400, { error: error.message });
      }
      throw error;
    }
  }

  /**
   * Upstash's `/subscribe/<channel>` and `/psubscribe/<pattern>`: a server-sent
   * event stream, one `data:` line per event in the shape `@upstash/redis` parses
   * (`subscribe,<channel>,<count>`, `message,<channel>,<message>`,
   * `pmessage,<pattern>,<channel>,<message>`), until the client disconnects.
   */
  async function streamMessages(_req: IncomingMessage, res: ServerResponse, pattern: boolean, targets: string[]): Promise<void> {
    const send = (data: string) => {
      if (!res.writableEnded) res.write(`data: ${data}\n\n`);
    };
    const unsubscribe = await engine.subscribe(targets, pattern, (event) => {
      send(
        event.pattern !== undefined
          ? `pmessage,${event.pattern},${event.channel},${event.message}`
          : `message,${event.channel},${event.message}`,
      );
    });
    let stopped = false;
    const stop = () => {
      if (stopped) return;
      stopped = true;
      void unsubscribe();
    };
    // Not req's "close": that fires as soon as the request body has been read.
    res.on("close", stop);
    if (res.destroyed) stop();
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
    // Confirmations go out once the subscription is live, so a publish after them is never missed.
    targets.forEach((target, index) => {
      send(`${pattern ? "psubscribe" : "subscribe"},${target},${index + 1}`);
    });
  }

  /** The fault switch; it changes what every client sees, so it takes the token like the data API. */
  async function handleFaults(req: IncomingMessage, res: ServerResponse, url: RequestUrl, method: string): Promise<void> {
    if (!authorized(req, url, token)) return sendJson(res, 401, { error: "Unauthorized" });
    if (method === "GET") return sendJson(res, 200, faults.state());
    if (method === "DELETE") return sendJson(res, 200, faults.clear());
    if (method !== "POST") return sendJson(res, 405, { error: "Method not allowed" });
    const body = await readBody(req, 64 * 1024);
    try {
      return sendJson(res, 200, faults.set(JSON.parse(body || "{}") as { outage: never }));
    } catch (error) {
      return sendJson(res, 400, { error: error instanceof Error ? error.message : String(error) });
    }
  }

  const baseUrl = await listen(server, options.port ?? DEFAULT_PORT, host);

  return {
    url: baseUrl,
    token,
    faults,
    flush: () => engine.flush(),
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await engine.close();
    },
  };
}

/**
 * The parts of the request target the server reads. The SDK's requests (`/pipeline`, no
 * query) are by far the most, and a plain path needs no URL object per request.
 */
type RequestUrl = Pick<URL, "pathname" | "searchParams">;
const NO_QUERY = new URLSearchParams();
function requestUrl(target: string): RequestUrl {
  if (/^\/(?!\/)[A-Za-z0-9/_-]*$/.test(target)) return { pathname: target, searchParams: NO_QUERY };
  return new URL(target, "http://localhost");
}

function authorized(req: IncomingMessage, url: RequestUrl, token: string): boolean {
  const header = req.headers.authorization ?? "";
  const match = /^Bearer\s+(.+)$/i.exec(header);
  // The hosted API also takes `?_token=`; the SDK never sends it, curl users might.
  const given = match?.[1]?.trim() ?? url.searchParams.get("_token");
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}
