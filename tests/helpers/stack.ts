import { manualClock, systemClock, type StackClock } from "@/local/clock";
import { startQStashServer, type QStashServer } from "@/local/qstash/server";
import { startRedisRestServer, type RedisRestServer } from "@/local/redis/server";
import { startResendServer, type ResendServer } from "@/local/resend/server";

export interface TestStack {
  qstash: QStashServer;
  redis: RedisRestServer;
  resend: ResendServer;
  clock: StackClock;
  /** Environment variables that point the app at this stack (no APP_URL). */
  env: Record<string, string>;
  close(): Promise<void>;
}

/**
 * The local QStash, Redis REST and Resend look-alikes on ephemeral loopback
 * ports, in memory. With `manual: true` (the default) time only moves through
 * `stack.qstash.advance(ms)`, so retries and delays play out instantly.
 */
export async function startTestStack(options: { manual?: boolean; redisUrl?: string } = {}): Promise<TestStack> {
  const clock = options.manual === false ? systemClock() : manualClock(Date.now());
  const qstash = await startQStashServer({ port: 0, clock, dataFile: null });
  const redis = await startRedisRestServer({ port: 0, ...(options.redisUrl && { redisUrl: options.redisUrl }) });
  const resend = await startResendServer({ port: 0, clock, dataFile: null, rateLimitPerSecond: 1000 });
  const env = {
    QSTASH_URL: qstash.url,
    QSTASH_TOKEN: qstashToken(),
    QSTASH_CURRENT_SIGNING_KEY: "sig_7kYjw48mhY7kAjqNGcy6cr29RJ6r",
    QSTASH_NEXT_SIGNING_KEY: "sig_5ZB6DVzB1wjE8S6rZ7eenA8Pdnhs",
    UPSTASH_REDIS_REST_URL: redis.url,
    UPSTASH_REDIS_REST_TOKEN: redis.token,
    RESEND_API_KEY: "re_test_local",
    RESEND_BASE_URL: resend.url,
    EMAIL_FROM: "Acme <noreply@acme.test>",
  };
  return {
    qstash,
    redis,
    resend,
    clock,
    env,
    async close() {
      await Promise.allSettled([qstash.close(), redis.close(), resend.close()]);
    },
  };
}

/** The official dev server's token: base64 of {"UserID":"defaultUser","Password":"defaultPassword"}. */
function qstashToken(): string {
  return Buffer.from('{"UserID":"defaultUser","Password":"defaultPassword"}').toString("base64");
}
