import { manualClock, systemClock } from "@/local/clock";
import { startLocalStack, type LocalStack } from "@/local/stack";

export type TestStack = LocalStack;

/**
 * The local QStash, Redis REST and Resend look-alikes on ephemeral loopback
 * ports, in memory. With `manual: true` (the default) time only moves through
 * `stack.qstash.advance(ms)`, so retries and delays play out instantly.
 */
export async function startTestStack(options: { manual?: boolean; redisUrl?: string } = {}): Promise<TestStack> {
  return startLocalStack({
    ports: { qstash: 0, redis: 0, resend: 0 },
    clock: options.manual === false ? systemClock() : manualClock(Date.now()),
    dataDir: null,
    resendRateLimitPerSecond: 1000,
    ...(options.redisUrl && { redisUrl: options.redisUrl }),
  });
}
