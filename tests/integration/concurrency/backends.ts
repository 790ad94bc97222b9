import { afterAll, beforeAll, it } from "vitest";
import { startTestApp, type TestApp, type TestAppOptions } from "@/harness/app";
import { startTestStack, type TestStack } from "@/harness/stack";
import { redisServerUnavailableReason, startRedisServer } from "@/local/redis/redis-server";

/**
 * The two Redis engines every concurrency check runs against: the local stack's
 * embedded engine, and a real redis-server behind the same REST layer (the proxy
 * engine), so a race the embedded engine hides still fails here.
 */
export const engines = [
  { label: "embedded engine", unavailable: null as string | null, real: false },
  { label: "real redis-server", unavailable: redisServerUnavailableReason(), real: true },
];

export interface Running {
  readonly stack: TestStack;
  readonly app: TestApp;
}

/**
 * The stack and the app's routes on `engine` for the enclosing suite. Returns
 * null (after registering a skipped or, on CI, failing test) when the engine
 * can't run on this machine.
 */
export function useEngine(engine: (typeof engines)[number], appOptions: TestAppOptions = {}): Running | null {
  if (engine.unavailable !== null) {
    const reason = engine.unavailable;
    if (process.env.CI === "true") {
      it(`requires redis-server on CI: ${reason}`, () => {
        throw new Error(`${engine.label} concurrency suite cannot run: ${reason}`);
      });
    } else it.skip(`${engine.label}: ${reason}`, () => {});
    return null;
  }
  let stack: TestStack | undefined;
  let app: TestApp | undefined;
  let stopRedis: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    let redisUrl: string | undefined;
    if (engine.real) {
      const redis = await startRedisServer();
      stopRedis = () => redis.stop();
      redisUrl = redis.url;
    }
    stack = await startTestStack(redisUrl ? { redisUrl } : {});
    const started = stack;
    app = await startTestApp(started, {
      ...appOptions,
      services: { clock: { now: () => started.clock.now() }, ...appOptions.services },
    });
  });
  afterAll(async () => {
    await app?.close();
    await stack?.close();
    await stopRedis?.();
  });
  return {
    get stack() {
      if (!stack) throw new Error("the stack is not started");
      return stack;
    },
    get app() {
      if (!app) throw new Error("the app is not started");
      return app;
    },
  };
}
