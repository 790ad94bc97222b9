import type { RequestHandler } from "msw";
import { setupServer, type SetupServer } from "msw/node";
import { afterAll, beforeAll, beforeEach } from "vitest";
import { memoryRedis } from "../msw/redis-memory";

/**
 * An msw server for this test file: listening from the first test to the last,
 * and any request no handler answers fails the test instead of reaching the network.
 */
export function setupMsw(...handlers: RequestHandler[]): SetupServer {
  const server = setupServer(...handlers);
  beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
  afterAll(() => server.close());
  return server;
}

/**
 * A working Upstash Redis REST endpoint at `url` (the local emulator's engine
 * inside msw), emptied before every test so each starts with no keys and a
 * command count of 0. `handlers` are served beside it (e.g. a QStash endpoint).
 */
export function setupMemoryRedis(url: string, ...handlers: RequestHandler[]) {
  const redis = memoryRedis(url);
  const server = setupMsw(...redis.handlers, ...handlers);
  beforeEach(() => redis.flush());
  return { redis, server };
}
