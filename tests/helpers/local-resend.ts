import { once } from "node:events";
import { Resend } from "resend";
import { afterEach, beforeEach } from "vitest";
import { manualClock } from "@/local/clock";
import {
  startResendServer,
  type CapturedEmail,
  type FaultEvent,
  type ResendServer,
  type ResendServerOptions,
} from "@/local/resend/server";

/**
 * The Resend look-alike on an ephemeral loopback port with a manual clock, and
 * official SDK clients pointed at it.
 */

export const TEST_API_KEY = "re_test_123";

export interface TestResend {
  server: ResendServer;
  clock: ReturnType<typeof manualClock>;
  /** An official SDK client for `apiKey` (default `re_test_123`). */
  client(apiKey?: string): Resend;
  /** Resolves with the next accepted email. */
  nextEmail(): Promise<CapturedEmail>;
  /** Resolves with the next applied fault. */
  nextFault(): Promise<FaultEvent>;
}

export async function startTestResend(options: ResendServerOptions = {}): Promise<TestResend> {
  const clock = manualClock();
  const server = await startResendServer({ port: 0, clock, dataFile: null, ...options });
  return {
    server,
    clock,
    client: (apiKey = TEST_API_KEY) => new Resend(apiKey, { baseUrl: server.url }),
    nextEmail: async () => ((await once(server.events, "email")) as [CapturedEmail])[0],
    nextFault: async () => ((await once(server.events, "fault")) as [FaultEvent])[0],
  };
}

/** Starts a fresh server before each test of the enclosing suite and closes it after. */
export function useTestResend(options: ResendServerOptions = {}): () => TestResend {
  let current: TestResend | undefined;
  beforeEach(async () => {
    current = await startTestResend(options);
  });
  afterEach(async () => {
    await current?.server.close();
    current = undefined;
  });
  return () => current!;
}

/** A minimal valid email in the SDK's shape. */
export function email(overrides: Record<string, unknown> = {}) {
  return {
    from: "Acme <noreply@acme.dev>",
    to: ["user@example.com"],
    subject: "Welcome",
    html: "<p>Hi</p>",
    text: "Hi",
    ...overrides,
  } as Parameters<Resend["emails"]["send"]>[0];
}
