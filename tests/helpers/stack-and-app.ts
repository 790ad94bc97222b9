import { afterAll, beforeAll, beforeEach } from "vitest";
import { startTestApp, type TestApp, type TestAppOptions } from "../../harness/app";
import { startTestStack, type TestStack } from "../../harness/stack";

export interface StackAndAppOptions {
  stack?: Parameters<typeof startTestStack>[0];
  /** The app's options; a function when they depend on the started stack. */
  app?: TestAppOptions | ((stack: TestStack) => TestAppOptions);
  /** The app's services read the stack's clock, so `stack.qstash.advance(ms)` moves the app's time too. */
  stackClock?: boolean;
  /** What to empty before every test, so each starts from a clean stack. */
  reset?: Array<"qstash" | "redis" | "resend">;
}

export interface RunningStackAndApp {
  readonly stack: TestStack;
  readonly app: TestApp;
}

/**
 * The local stack and the app's routes on it for this test file: started before
 * the first test, closed after the last (app first, so no delivery hits a closed
 * port), and reset before each test as `reset` says. Read them through the
 * returned getters, which throw if a test runs before they started.
 */
export function setupStackAndApp(options: StackAndAppOptions = {}): RunningStackAndApp {
  let stack: TestStack | undefined;
  let app: TestApp | undefined;
  beforeAll(async () => {
    stack = await startTestStack(options.stack);
    const started = stack;
    const appOptions = typeof options.app === "function" ? options.app(started) : (options.app ?? {});
    app = await startTestApp(started, {
      ...appOptions,
      ...(options.stackClock && { services: { clock: { now: () => started.clock.now() }, ...appOptions.services } }),
    });
  });
  afterAll(async () => {
    await app?.close();
    await stack?.close();
  });
  const reset = options.reset ?? [];
  if (reset.length > 0) {
    beforeEach(async () => {
      if (reset.includes("qstash")) running.stack.qstash.reset();
      if (reset.includes("resend")) running.stack.resend.reset();
      if (reset.includes("redis")) await running.stack.redis.flush();
    });
  }
  const running: RunningStackAndApp = {
    get stack() {
      if (!stack) throw new Error("the stack is not started: use it inside a test or a hook, not at module load");
      return stack;
    },
    get app() {
      if (!app) throw new Error("the app is not started: use it inside a test or a hook, not at module load");
      return app;
    },
  };
  return running;
}
