import { manualClock, systemClock } from "@/local/clock";
import { startLocalStack, type LocalStack } from "@/local/stack";

export type TestStack = LocalStack;

export interface TestStackOptions {
  /** @default true */
  manual?: boolean;
  redisUrl?: string;
  /** The Resend look-alike's limit; tests that aren't about it get 1000 so it never trips. */
  resendRateLimitPerSecond?: number;
  /** Where a manual clock starts (ms since the epoch), e.g. to place deliveries inside Resend's one-second windows. @default Date.now() */
  startAt?: number;
}

/**
 * The local QStash, Redis REST and Resend look-alikes on ephemeral loopback
 * ports, in memory. With `manual: true` (the default) time only moves through
 * `stack.qstash.advance(ms)`, so retries and delays play out instantly.
 */
export async function startTestStack(options: TestStackOptions = {}): Promise<TestStack> {
  return startLocalStack({
    ports: { qstash: 0, redis: 0, resend: 0 },
    clock: options.manual === false ? systemClock() : manualClock(options.startAt ?? Date.now()),
    dataDir: null,
    resendRateLimitPerSecond: options.resendRateLimitPerSecond ?? 1000,
    ...(options.redisUrl && { redisUrl: options.redisUrl }),
  });
}
