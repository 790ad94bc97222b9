/**
 * The local stack for a chaos run, in this process so every fault is switched
 * and counted directly: Redis REST (embedded engine), the Resend look-alike,
 * and the QStash look-alike with a data file so it can be stopped and started
 * again on its port, resuming every pending message. QStash's event log is
 * kept here across restarts (the emulator keeps it in memory only).
 *
 * The run's faults start and stop on what happens, not on the clock, so the
 * stack counts progress (messages published, delivery attempts started, emails
 * accepted) and every fault applied, and emits "progress" after each.
 */
import { EventEmitter } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startQStashServer, type LogEvent, type QStashFaultEvent, type QStashServer } from "@/local/qstash/server";
import { startRedisRestServer, type RedisRestServer } from "@/local/redis/server";
import { startResendServer, type FaultEvent, type ResendServer } from "@/local/resend/server";
import { DEV_CURRENT_SIGNING_KEY, DEV_NEXT_SIGNING_KEY, DEV_QSTASH_TOKEN, DEV_RESEND_API_KEY } from "@/local/stack";
import { seededRandom } from "./random";

/** What the run has done so far; faults wait for these to reach their milestones. */
interface Progress {
  /** Messages QStash accepted (its CREATED events). */
  published: number;
  /** Delivery attempts QStash started (its ACTIVE events). */
  deliveries: number;
  /** Delivery attempts the app answered with an HTTP status (a refused or cut-off connection is no answer). */
  answered: number;
  /** Emails the Resend look-alike accepted. */
  emails: number;
}

export interface ChaosStack {
  redis: RedisRestServer;
  resend: ResendServer;
  qstash(): QStashServer;
  /** Every QStash log event of the run, across restarts. */
  events: LogEvent[];
  progress: Readonly<Progress>;
  /** Emits "progress" whenever `progress` or a fault count changes. */
  signals: EventEmitter;
  /** Stops QStash (state flushed to its file, deliveries in flight cut off) and starts it again on its port. */
  restartQStash(): Promise<void>;
  env: Record<string, string>;
  /** Faults actually applied, summed across QStash restarts. */
  injected(): Record<string, number>;
  close(): Promise<void>;
}

export async function startChaosStack(options: { duplicateRate: number; seed: number }): Promise<ChaosStack> {
  const dir = mkdtempSync(join(tmpdir(), "chaos-"));
  const events: LogEvent[] = [];
  const signals = new EventEmitter();
  const progress: Progress = { published: 0, deliveries: 0, answered: 0, emails: 0 };
  const counted = { resendErrors: 0, resendRateLimited: 0, resendDown: 0, resendSlow: 0, handlersTimedOut: 0 };
  const previousQStash = { duplicatesAtOnce: 0, duplicatesLater: 0, publishErrors: 0, publishRefused: 0, publishOutages: 0 };
  let restarts = 0;
  const changed = () => signals.emit("progress");

  const redis = await startRedisRestServer({ port: 0 });
  redis.faults.onFailure(changed);
  // Retries come fast (a hundredth of QStash's ladder) so a run fits in minutes; the order of delays stays.
  // Seeded randomness: which attempts get duplicates follows the same sequence every run.
  const startQStash = (port: number) =>
    startQStashServer({
      port,
      dataFile: join(dir, "qstash.json"),
      token: DEV_QSTASH_TOKEN,
      currentSigningKey: DEV_CURRENT_SIGNING_KEY,
      nextSigningKey: DEV_NEXT_SIGNING_KEY,
      retryScale: 0.01,
      maxEvents: 1_000_000,
      random: seededRandom(options.seed + restarts),
    });
  let qstash = await startQStash(0);
  const port = Number(new URL(qstash.url).port);
  const listen = (server: QStashServer) => {
    server.events.on("event", (event: LogEvent) => {
      events.push(event);
      if (event.state === "CREATED") progress.published += 1;
      else if (event.state === "ACTIVE") progress.deliveries += 1;
      else if ((event.state === "DELIVERED" || event.state === "ERROR") && event.responseStatus !== undefined) {
        progress.answered += 1;
        // A handler past its time budget answers 504 (the runtime's JobTimeoutError).
        if (event.responseStatus === 504) counted.handlersTimedOut += 1;
      } else return;
      changed();
    });
    server.events.on("fault", (_event: QStashFaultEvent) => changed());
    server.faults.set({ duplicates: { rate: options.duplicateRate, laterMs: 2_000 } });
  };
  listen(qstash);
  const resend = await startResendServer({
    port: 0,
    rateLimitPerSecond: 100_000,
    maxEmails: 1_000_000,
    random: seededRandom(options.seed ^ 0x5eed),
  });
  resend.events.on("fault", (event: FaultEvent) => {
    if (event.kind === "latency") counted.resendSlow += 1;
    else if (event.kind === "status" && event.status === 429) counted.resendRateLimited += 1;
    // 503 is the run's Resend outage; the scattered errors are 500s.
    else if (event.kind === "status" && event.status === 503) counted.resendDown += 1;
    else counted.resendErrors += 1;
    changed();
  });
  resend.events.on("email", () => {
    progress.emails += 1;
    changed();
  });

  return {
    redis,
    resend,
    qstash: () => qstash,
    events,
    progress,
    signals,
    async restartQStash() {
      const { injected, publishOutage } = qstash.faults.state();
      for (const key of Object.keys(previousQStash) as Array<keyof typeof previousQStash>) previousQStash[key] += injected[key];
      await qstash.close();
      restarts += 1;
      qstash = await startQStash(port);
      listen(qstash);
      if (publishOutage) {
        // The publish API's outage is the run's, not one process's: a restart inside its window keeps it,
        // as the same window (counted once), until the run ends it.
        const { startedAt: _startedAt, endsAt: _endsAt, ...config } = publishOutage;
        qstash.faults.set({ publishOutage: config });
        previousQStash.publishOutages -= 1;
      }
      changed();
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
        ...counted,
      };
    },
    async close() {
      await Promise.allSettled([qstash.close(), redis.close(), resend.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
