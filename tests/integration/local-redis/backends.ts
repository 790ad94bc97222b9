import { afterAll, beforeAll, beforeEach, it } from "vitest";
import { startRedisRestServer, type RedisRestServer } from "@/local/redis/server";
import { redisServerUnavailableReason, startRedisServer } from "@/local/redis/redis-server";

/**
 * The backends every local-redis test file runs against with `describe.each`:
 * the embedded engine and a real redis-server behind the same REST layer, so a
 * behaviour the embedded engine gets wrong fails here instead of in production.
 */
export interface RedisBackend {
  label: string;
  /** Why this backend cannot run on this machine, or null. */
  unavailable: string | null;
  start(): Promise<{ server: RedisRestServer; redisUrl?: string; stop(): Promise<void> }>;
}

export const redisBackends: RedisBackend[] = [
  {
    label: "embedded engine",
    unavailable: null,
    async start() {
      const server = await startRedisRestServer({ port: 0 });
      return { server, stop: () => server.close() };
    },
  },
  {
    label: "real redis-server",
    unavailable: redisServerUnavailableReason(),
    async start() {
      const redis = await startRedisServer();
      const server = await startRedisRestServer({ port: 0, redisUrl: redis.url }).catch(async (error: unknown) => {
        await redis.stop();
        throw error;
      });
      return {
        server,
        redisUrl: redis.url,
        async stop() {
          await server.close();
          await redis.stop();
        },
      };
    },
  },
];

/**
 * Starts the backend's REST server for the enclosing suite and flushes it before
 * each test. Returns false (after registering a skipped or, on CI, failing test)
 * when the backend is unavailable; the caller then registers nothing else.
 */
export function useRedisBackend(backend: RedisBackend): {
  ready: boolean;
  server(): RedisRestServer;
  /** The real Redis behind the REST server, for tests that look at it directly; undefined on the embedded engine. */
  redisUrl(): string | undefined;
} {
  let server: RedisRestServer | undefined;
  let redisUrl: string | undefined;
  const handle = { ready: backend.unavailable === null, server: () => server!, redisUrl: () => redisUrl };
  if (backend.unavailable !== null) {
    const reason = backend.unavailable;
    if (process.env.CI === "true") {
      it(`requires redis-server on CI: ${reason}`, () => {
        throw new Error(`${backend.label} parity suite cannot run: ${reason}`);
      });
    } else {
      console.warn(`[local-redis] skipping the ${backend.label} suite: ${reason}`);
      it.skip(`${backend.label} skipped: ${reason}`, () => {});
    }
    return handle;
  }
  let stop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const started = await backend.start();
    server = started.server;
    redisUrl = started.redisUrl;
    stop = started.stop;
  });
  afterAll(async () => {
    await stop?.();
  });
  beforeEach(async () => {
    await server!.flush();
  });
  return handle;
}
