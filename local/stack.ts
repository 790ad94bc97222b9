/**
 * The whole offline stack in one process: a QStash-compatible server, an
 * Upstash Redis REST server and a Resend look-alike. `npm run stack` runs it
 * alone (a drop-in for QStash's dev server); `npm run dev` runs it beside next dev.
 */
import { pathToFileURL } from "node:url";
import { manualClock, systemClock, type StackClock } from "./clock";
import { startQStashServer, type QStashServer } from "./qstash/server";
import { chooseRedisBackend, startRedisBackend } from "./redis/backend";
import type { RedisRestServer } from "./redis/server";
import { rateLimitFromEnv, startResendServer, type ResendServer } from "./resend/server";

/** The official QStash dev server's public credentials (safe to commit; the SDK has them built in). */
export const DEV_QSTASH_TOKEN = "eyJVc2VySUQiOiJkZWZhdWx0VXNlciIsIlBhc3N3b3JkIjoiZGVmYXVsdFBhc3N3b3JkIn0=";
export const DEV_CURRENT_SIGNING_KEY = "sig_7kYjw48mhY7kAjqNGcy6cr29RJ6r";
export const DEV_NEXT_SIGNING_KEY = "sig_5ZB6DVzB1wjE8S6rZ7eenA8Pdnhs";
export const DEV_REDIS_TOKEN = "local-redis-token";
export const DEV_RESEND_API_KEY = "re_local_development";

export interface LocalStackOptions {
  /** Ports; 0 picks a free one. @default { qstash: 8080, redis: 8079, resend: 8025 } */
  ports?: { qstash?: number; redis?: number; resend?: number };
  /** A manual clock lets tests fast-forward retries and delays. @default systemClock() */
  clock?: StackClock;
  /** Folder for state files that survive a restart; null keeps everything in memory. @default ".local" */
  dataDir?: string | null;
  /** Proxy Redis commands to a real server (redis://…) instead of the embedded engine; always wins. */
  redisUrl?: string;
  /** Start a throwaway redis-server when one is on PATH (data in `dataDir`); `npm run stack` and `npm run dev` do. @default false */
  useRedisServer?: boolean;
  /** Resend look-alike's requests per second per key (`npm run stack`: `RESEND_RATE_LIMIT_PER_SECOND`, default 2). @default 10 */
  resendRateLimitPerSecond?: number;
}

export interface LocalStack {
  qstash: QStashServer;
  redis: RedisRestServer;
  resend: ResendServer;
  /** Which Redis backend runs and where its data lives, for the start banner. */
  redisBackend: string;
  clock: StackClock;
  /** Environment variables that point an app (or the official SDKs) at this stack. */
  env: Record<string, string>;
  close(): Promise<void>;
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const clock = options.clock ?? systemClock();
  const dataDir = options.dataDir === undefined ? ".local" : options.dataDir;
  const file = (name: string) => (dataDir === null ? null : `${dataDir}/${name}`);
  const started: Array<{ close(): Promise<void> }> = [];
  try {
    const qstash = await startQStashServer({
      port: options.ports?.qstash ?? 8080,
      clock,
      dataFile: file("qstash.json"),
      token: DEV_QSTASH_TOKEN,
      currentSigningKey: DEV_CURRENT_SIGNING_KEY,
      nextSigningKey: DEV_NEXT_SIGNING_KEY,
    });
    started.push(qstash);
    const backend = await startRedisBackend(
      chooseRedisBackend({ redisUrl: options.redisUrl, useRedisServer: options.useRedisServer ?? false }),
      { port: options.ports?.redis ?? 8079, token: DEV_REDIS_TOKEN, now: () => clock.now() },
      dataDir,
    );
    started.push(backend);
    const redis = backend.server;
    const resend = await startResendServer({
      port: options.ports?.resend ?? 8025,
      clock,
      dataFile: file("resend.json"),
      ...(options.resendRateLimitPerSecond !== undefined && { rateLimitPerSecond: options.resendRateLimitPerSecond }),
    });
    started.push(resend);
    const env = {
      QSTASH_URL: qstash.url,
      QSTASH_TOKEN: DEV_QSTASH_TOKEN,
      QSTASH_CURRENT_SIGNING_KEY: DEV_CURRENT_SIGNING_KEY,
      QSTASH_NEXT_SIGNING_KEY: DEV_NEXT_SIGNING_KEY,
      UPSTASH_REDIS_REST_URL: redis.url,
      UPSTASH_REDIS_REST_TOKEN: redis.token,
      RESEND_API_KEY: DEV_RESEND_API_KEY,
      RESEND_BASE_URL: resend.url,
    };
    return {
      qstash,
      redis,
      resend,
      redisBackend: backend.description,
      clock,
      env,
      async close() {
        await Promise.allSettled(started.map((server) => server.close()));
      },
    };
  } catch (error) {
    await Promise.allSettled(started.map((server) => server.close()));
    throw error;
  }
}

/** `npm run stack`: run until Ctrl-C and print what to put in an app's environment. */
async function main() {
  // The same variable the app paces its email jobs by, so the look-alike refuses what Resend would.
  const resendRateLimitPerSecond = rateLimitFromEnv(process.env.RESEND_RATE_LIMIT_PER_SECOND);
  const stack = await startLocalStack({
    clock: process.env.STACK_MANUAL_CLOCK === "true" ? manualClock(Date.now()) : systemClock(),
    resendRateLimitPerSecond,
    // LOCAL_REDIS=embedded keeps the embedded engine even with redis-server installed (it has JSON.*).
    useRedisServer: process.env.LOCAL_REDIS !== "embedded",
    ...(process.env.REDIS_URL && { redisUrl: process.env.REDIS_URL }),
  });
  console.log("Local Upstash stack is running:\n");
  console.log(`  QStash        ${stack.qstash.url}   (dashboard at /)`);
  console.log(`  Redis REST    ${stack.redis.url}   (${stack.redisBackend})`);
  console.log(`  Resend inbox  ${stack.resend.url}   (${resendRateLimitPerSecond} requests/s, RESEND_RATE_LIMIT_PER_SECOND)`);
  console.log("\nPoint an app at it with:\n");
  for (const [name, value] of Object.entries(stack.env)) console.log(`  ${name}=${value}`);
  console.log("\nOr set QSTASH_DEV=true: the official SDK then finds this server on 127.0.0.1:8080.\n");
  const stop = async () => {
    await stack.close();
    process.exit(0);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
