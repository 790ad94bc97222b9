import { createHash, createHmac } from "node:crypto";
import type { EventEmitter } from "node:events";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { Client, Receiver } from "@upstash/qstash";
import { afterEach, beforeEach, expect } from "vitest";
import { manualClock, type StackClock } from "@/local/clock";
import {
  DEV_CURRENT_SIGNING_KEY,
  DEV_NEXT_SIGNING_KEY,
  DEV_TOKEN,
  startQStashServer,
  type LogEvent,
  type LogState,
  type QStashServer,
  type QStashServerOptions,
} from "@/local/qstash/server";

/**
 * The local QStash on an ephemeral loopback port with a manual clock, a real
 * HTTP receiver that checks every delivery with the official `Receiver`, and
 * an official `Client` pointed at the server.
 */

export { DEV_CURRENT_SIGNING_KEY, DEV_NEXT_SIGNING_KEY, DEV_TOKEN };

/** Decoded `Upstash-Signature` claims. */
interface SignatureClaims {
  iss: string;
  sub: string;
  iat: number;
  nbf: number;
  exp: number;
  jti: string;
  body: string;
}

interface Delivery {
  method: string;
  /** Path and query as received. */
  path: string;
  /** Full URL the receiver was called on (what `sub` must equal). */
  url: string;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: string;
  bytes: Buffer;
  messageId: string;
  retried: number;
  claims: SignatureClaims;
  /** The server clock's time when the delivery arrived, ms. */
  at: number;
}

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface TestReceiver {
  /** Base URL, no trailing slash. */
  url: string;
  /**
   * In the order the receiver finished checking them. Attempts in flight at once come in on
   * separate connections and their signatures are checked on the crypto thread pool, so their
   * order here is a race: for the order the server started them, use `trackStarts`.
   */
  deliveries: Delivery[];
  /** Signature problems seen; a test that ends with any fails (see useTestQStash). */
  verificationErrors: string[];
  /** Most deliveries in flight at once, per path (without query). */
  maxConcurrent: Map<string, number>;
  /** Sets how the receiver answers; the default is 200 "ok". */
  respond(handler: (delivery: Delivery) => Reply | Promise<Reply>): void;
  /** Deliveries whose path (without query) is `path`. */
  to(path: string): Delivery[];
  close(): Promise<void>;
}

/** A node:http receiver on 127.0.0.1 that verifies every delivery with the official SDK's Receiver, `url` check included. */
export async function startReceiver(
  clock: StackClock,
  keys = { currentSigningKey: DEV_CURRENT_SIGNING_KEY, nextSigningKey: DEV_NEXT_SIGNING_KEY },
): Promise<TestReceiver> {
  const verifier = new Receiver({ ...keys, devMode: false });
  const deliveries: Delivery[] = [];
  const verificationErrors: string[] = [];
  const maxConcurrent = new Map<string, number>();
  const active = new Map<string, number>();
  let handler: (delivery: Delivery) => Reply | Promise<Reply> = () => ({ status: 200, body: "ok" });

  const server = createServer((req, res) => {
    void (async () => {
      const bytes = await readAll(req);
      const url = `${base}${req.url ?? "/"}`;
      const pathOnly = (req.url ?? "/").split("?")[0]!;
      active.set(pathOnly, (active.get(pathOnly) ?? 0) + 1);
      maxConcurrent.set(pathOnly, Math.max(maxConcurrent.get(pathOnly) ?? 0, active.get(pathOnly)!));
      const headers = Object.fromEntries(
        Object.entries(req.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(", ") : (value ?? "")]),
      );
      const signature = headers["upstash-signature"] ?? "";
      const body = bytes.toString("utf8");
      const claims = decodeClaims(signature);
      const delivery: Delivery = {
        method: req.method ?? "GET",
        path: req.url ?? "/",
        url,
        headers,
        body,
        bytes,
        messageId: headers["upstash-message-id"] ?? "",
        retried: Number(headers["upstash-retried"]),
        claims,
        at: clock.now(),
      };
      try {
        // Signatures carry wall-clock time whatever the stack clock says, so verify like a real app: no tolerance.
        if (Buffer.from(body, "utf8").equals(bytes)) await verifier.verify({ signature, body, url });
        // The SDK's Receiver hashes a string, so it can't check non-UTF-8 bodies; check those by hand.
        else verifyBinary(signature, bytes, url, keys.currentSigningKey);
        const wallSeconds = Math.floor(Date.now() / 1_000);
        const iat = Number(claims.iat);
        if (Math.abs(iat - wallSeconds) > 2 || claims.nbf !== iat || claims.exp !== iat + 300 || claims.iss !== "Upstash") {
          throw new Error(`unexpected claims ${JSON.stringify(claims)} at wall time ${wallSeconds}`);
        }
      } catch (error) {
        verificationErrors.push(`${url}: ${error instanceof Error ? error.message : String(error)}`);
      }
      deliveries.push(delivery);
      try {
        const reply = await handler(delivery);
        res.writeHead(reply.status ?? 200, reply.headers);
        res.end(reply.body ?? "");
      } finally {
        active.set(pathOnly, active.get(pathOnly)! - 1);
      }
    })().catch((error: unknown) => {
      verificationErrors.push(`receiver crashed: ${String(error)}`);
      res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    deliveries,
    verificationErrors,
    maxConcurrent,
    respond(next) {
      handler = next;
    },
    to: (path) => deliveries.filter((delivery) => delivery.path.split("?")[0] === path),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface TestQStash {
  server: QStashServer;
  clock: ReturnType<typeof manualClock>;
  receiver: TestReceiver;
  /** An official SDK client for the server. */
  client: Client;
  /** `${receiver.url}${path}` */
  at(path: string): string;
  /** Resolves with the next log event matching `predicate` (from now on). */
  nextEvent(predicate: (event: LogEvent) => boolean): Promise<LogEvent>;
  /** States logged for `messageId` so far, oldest first. */
  states(messageId: string): LogState[];
  /** Raw API call with the token, for what the SDK can't send. */
  api(path: string, init?: RequestInit): Promise<Response>;
}

export interface TestQStashOptions extends QStashServerOptions {
  /** Where the manual clock starts, ms. @default Date.now() */
  clockStartMs?: number;
}

export async function startTestQStash(options: TestQStashOptions = {}): Promise<TestQStash> {
  const clock = manualClock(options.clockStartMs ?? Date.now());
  const server = await startQStashServer({ port: 0, clock, dataFile: null, ...options });
  const receiver = await startReceiver(server.clock);
  const log: LogEvent[] = [];
  server.events.on("event", (event: LogEvent) => log.push(event));
  return {
    server,
    clock,
    receiver,
    client: new Client({ baseUrl: server.url, token: options.token ?? DEV_TOKEN, enableTelemetry: false, retry: false }),
    at: (path) => `${receiver.url}${path}`,
    nextEvent: (predicate) =>
      new Promise((resolve) => {
        const listener = (event: LogEvent) => {
          if (!predicate(event)) return;
          server.events.off("event", listener);
          resolve(event);
        };
        server.events.on("event", listener);
      }),
    states: (messageId) => log.filter((event) => event.messageId === messageId).map((event) => event.state),
    api: (path, init = {}) =>
      fetch(`${server.url}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${options.token ?? DEV_TOKEN}`, ...init.headers },
      }),
  };
}

/** A fresh server and receiver per test; fails the test if any delivery had a bad signature. */
export function useTestQStash(options: TestQStashOptions = {}): () => TestQStash {
  let current: TestQStash | undefined;
  beforeEach(async () => {
    current = await startTestQStash(options);
  });
  afterEach(async () => {
    const errors = current?.receiver.verificationErrors ?? [];
    await current?.server.close();
    await current?.receiver.close();
    current = undefined;
    expect(errors).toEqual([]);
  });
  return () => current!;
}

function verifyBinary(token: string, bytes: Buffer, url: string, key: string): void {
  const [header, payload, signature] = token.split(".");
  const expected = createHmac("sha256", key).update(`${header}.${payload}`).digest("base64url");
  if (signature !== expected) throw new Error("bad HMAC on a binary delivery");
  const claims = decodeClaims(token);
  if (claims.sub !== url) throw new Error(`sub ${claims.sub} != ${url}`);
  if (claims.body.replace(/=+$/, "") !== createHash("sha256").update(bytes).digest("base64url"))
    throw new Error("body hash mismatch on a binary delivery");
}

/**
 * Most attempts in flight at once according to the server's own log (ACTIVE
 * opens an attempt, DELIVERED/ERROR/CANCELLED closes it). The server starts
 * everything that may start in one synchronous pass, so this is exact.
 */
export function trackPeakActive(events: EventEmitter, include: (event: LogEvent) => boolean = () => true): () => number {
  const active = new Set<string>();
  let peak = 0;
  events.on("event", (event: LogEvent) => {
    if (!include(event)) return;
    if (event.state === "ACTIVE") peak = Math.max(peak, active.add(event.messageId).size);
    else if (event.state === "DELIVERED" || event.state === "ERROR" || event.state === "CANCELLED")
      active.delete(event.messageId);
  });
  return () => peak;
}

/**
 * Every attempt the server starts (its ACTIVE log events), in the order it started them.
 * Unlike the receiver's arrival order this is deterministic: the server starts everything
 * that may start in one synchronous pass, earliest due and then publish order first.
 */
export function trackStarts(events: EventEmitter, include: (event: LogEvent) => boolean = () => true): () => LogEvent[] {
  const started: LogEvent[] = [];
  events.on("event", (event: LogEvent) => {
    if (event.state === "ACTIVE" && include(event)) started.push(event);
  });
  return () => started;
}

function decodeClaims(token: string): SignatureClaims {
  const payload = token.split(".")[1] ?? "";
  try {
    return JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as SignatureClaims;
  } catch {
    return {} as SignatureClaims;
  }
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
