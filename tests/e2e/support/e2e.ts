import { afterAll, beforeAll } from "vitest";
import { startTestStack, type TestStack } from "../../../harness/stack";
import { startNextApp, type RunningApp } from "./app";
import { launchBrowser, type TestBrowser } from "./browser";

export interface E2E {
  stack: TestStack;
  app: RunningApp;
  /** One fresh Chromium per entry of `browsers`, in the same order: separate people, separate cookie jars. */
  browsers: TestBrowser[];
  close(): Promise<void>;
}

export interface E2EOptions {
  browsers?: Array<Parameters<typeof launchBrowser>[0]>;
  /** Extra environment for `next start` (e.g. a secret only one file needs). */
  appEnv?: Record<string, string>;
}

/**
 * The local stack on real time (next start verifies signatures against the wall
 * clock), the production build on a free loopback port, then Chromium. close()
 * stops them in reverse and still stops the rest when one fails.
 */
async function startE2E(options: E2EOptions = {}): Promise<E2E> {
  const started: Array<{ close(): Promise<void> }> = [];
  const close = async () => {
    let firstError: unknown;
    for (const part of started.splice(0).reverse()) {
      await part.close().catch((error: unknown) => {
        firstError ??= error;
      });
    }
    if (firstError !== undefined) throw firstError;
  };
  try {
    const stack = await startTestStack({ manual: false });
    started.push(stack);
    const app = await startNextApp(stack, options.appEnv);
    started.push(app);
    const browsers = await Promise.all((options.browsers ?? [{}]).map((browser) => launchBrowser(browser)));
    started.push(...browsers);
    return { stack, app, browsers, close };
  } catch (error) {
    await close().catch(() => {});
    throw error;
  }
}

/** startE2E for this test file: before its first test, closed after its last. Read it through the getters. */
export function setupE2E(options: E2EOptions = {}): Omit<E2E, "close"> & { readonly browser: TestBrowser } {
  let e2e: E2E | undefined;
  beforeAll(async () => {
    e2e = await startE2E(options);
  });
  afterAll(() => e2e?.close());
  const started = () => {
    if (!e2e) throw new Error("the e2e setup is not started: use it inside a test or a hook, not at module load");
    return e2e;
  };
  return {
    get stack() {
      return started().stack;
    },
    get app() {
      return started().app;
    },
    get browsers() {
      return started().browsers;
    },
    get browser() {
      return started().browsers[0]!;
    },
  };
}
