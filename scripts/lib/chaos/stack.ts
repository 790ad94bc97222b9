/**
 * The local stack for a chaos run, in this process so every fault is switched
 * and counted directly: Redis REST (embedded engine), the Resend look-alike,
 * and the QStash look-alike with a data file so it can be stopped and started
 * again on its port, resuming every pending message. QStash's event log is
 * kept here across restarts (the emulator keeps it in memory only).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startQStashServer, type LogEvent, type QStashServer } from "@/local/qstash/server";
import { startRedisRestServer, type RedisRestServer } from "@/local/redis/server";
import { startResendServer, type FaultEvent, type ResendServer } from "@/local/resend/server";
import { DEV_CURRENT_SIGNING_KEY, DEV_NEXT_SIGNING_KEY, DEV_QSTASH_TOKEN, DEV_RESEND_API_KEY } from "@/local/stack";

export interface ChaosStack {
  redis: RedisRestServer;
  resend: ResendServer;
  qstash(): QStashServer;
  /** Every QStash log event of the run, across restarts. */
  events: LogEvent[];
  /** Stops QStash (state flushed to its file, deliveries in flight cut off) and starts it again on its port. */
  restartQStash(): Promise<void>;
  env: Record<string, string>;
  /** Faults actually applied, summed across QStash restarts. */
  injected(): Record<string, number>;
  close(): Promise<void>;
}

export async function startChaosStack(options: { duplicateRate: number }): Promise<ChaosStack> {
  const dir = mkdtempSync(join(tmpdir(), "chaos-"));
  const events: LogEvent[] = [];
  const resendFaults: Record<string, number> = { resendErrors: 0, resendRateLimited: 0, resendSlow: 0 };
  const previousQStash = { duplicatesAtOnce: 0, duplicatesLater: 0, publishErrors: 0, publishRefused: 0, publishOutages: 0 };
  let restarts = 0;

  const redis = await startRedisRestServer({ port: 0 });
  // Retries come fast (a hundredth of QStash's ladder) so a run fits in minutes; the order of delays stays.
  const startQStash = (port: number) =>
    startQStashServer({
      port,
      dataFile: join(dir, "qstash.json"),
      token: DEV_QSTASH_TOKEN,
      currentSigningKey: DEV_CURRENT_SIGNING_KEY,
      nextSigningKey: DEV_NEXT_SIGNING_KEY,
      retryScale: 0.01,
      maxEvents: 1_000_000,
    });
  let qstash = await startQStash(0);
  const port = Number(new URL(qstash.url).port);
  const listen = (server: QStashServer) => {
    server.events.on("event", (event: LogEvent) => events.push(event));
    server.faults.set({ duplicates: { rate: options.duplicateRate, laterMs: 2_000 } });
  };
  listen(qstash);
  const resend = await startResendServer({ port: 0, rateLimitPerSecond: 100_000, maxEmails: 1_000_000 });
  resend.events.on("fault", (event: FaultEvent) => {
    if (event.kind === "latency") resendFaults.resendSlow! += 1;
    else if (event.kind === "status" && event.status === 429) resendFaults.resendRateLimited! += 1;
    else resendFaults.resendErrors! += 1;
  });

  return {
    redis,
    resend,
    qstash: () => qstash,
    events,
    async restartQStash() {
      const { injected } = qstash.faults.state();
      for (const key of Object.keys(previousQStash) as Array<keyof typeof previousQStash>) previousQStash[key] += injected[key];
      await qstash.close();
      qstash = await startQStash(port);
      listen(qstash);
      restarts += 1;
    },
    env: {
      QSTASH_URL: qstash.url,
      QSTASH_TOKEN: DEV_QSTASH_TOKEN,
      QSTASH_CURRENT_SIGNING_KEY: DEV_CURRENT_SIGNING_KEY,
      QSTASH_NEXT_SIGNING_KEY: DEV_NEXT_SIGNING_KEY,
      UPSTASH_REDIS_REST_URL: redis.url,
      UPSTASH_REDIS_REST_TOKEN: redis.token,
      RESEND_API_KEY: DEV_RESEND_API_KEY,
      RESEND_BASE_URL: resend.url,
    },
    injected() {
      const current = qstash.faults.state().injected;
      const redisInjected = redis.faults.state().injected;
      return {
        duplicateDeliveries:
          previousQStash.duplicatesAtOnce + current.duplicatesAtOnce + previousQStash.duplicatesLater + current.duplicatesLater,
        publishOutages: previousQStash.publishOutages + current.publishOutages,
        publishesRefused:
          previousQStash.publishRefused + current.publishRefused + previousQStash.publishErrors + current.publishErrors,
        qstashRestarts: restarts,
        redisOutages: redisInjected.outages,
        redisRequestsFailed: redisInjected.errors + redisInjected.refused,
        ...resendFaults,
      };
    },
    async close() {
      await Promise.allSettled([qstash.close(), redis.close(), resend.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
