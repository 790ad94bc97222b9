/**
 * One chaos run: the production build under load from its real producers while
 * the faults of a profile overlap, then a drain, then the invariants.
 */
import { Client } from "@upstash/qstash";
import { Redis } from "@upstash/redis";
import { OUTBOX_SWEEP_CRON_PATH } from "@/lib/cron/outbox-sweep";
import { createJobQueue, runKey, OUTBOX_INDEX_KEY } from "@/lib/job-runtime";
import { dlqRedrive } from "@/lib/jobs/dlq-redrive";
import { testJob } from "@/lib/jobs/test";
import { startApp, type ChaosApp } from "./app";
import { configuredFaults, startFaultPlan, type FaultPlan } from "./faults";
import { checkInvariants, type InvariantRow } from "./invariants";
import { CHAOS_PAYMENTS_SECRET, emptyTally, publishBatch, sendWebhook, signIn, signUp, type LoadTally } from "./load";
import type { ChaosProfile } from "./profile";
import { startChaosStack, type ChaosStack } from "./stack";

export interface ChaosResult {
  profile: string;
  rows: InvariantRow[];
  ok: boolean;
  /** Faults that actually happened, by kind. */
  injected: Record<string, number>;
  /** Requests each fault window failed. */
  windows: Array<{ window: string; failed: number }>;
  tally: LoadTally;
  jobs: number;
  durationMs: number;
  drainedMs: number;
}

const BULK_BATCH = 50;
/**
 * Requests each producer has open at most. On a starved machine a form post waits behind
 * a hundred deliveries for tens of seconds: fewer would let the producers, not the app,
 * set the pace.
 */
const LOAD_CONCURRENCY = 32;

export async function runChaos(
  profile: ChaosProfile,
  options: { log?: (line: string) => void; cwd?: string } = {},
): Promise<ChaosResult> {
  const log = options.log ?? (() => undefined);
  let started = Date.now();
  const deadline = started + profile.timeLimitMs;
  const runId = started.toString(36);
  const stack = await startChaosStack({ duplicateRate: profile.duplicateRate, seed: profile.seed });
  let app: ChaosApp | undefined;
  let plan: FaultPlan | undefined;
  try {
    app = await startApp(
      {
        ...stack.env,
        PAYMENTS_WEBHOOK_SECRET: CHAOS_PAYMENTS_SECRET,
        ADMIN_TOKEN: "chaos-admin-token-0123456789",
        CRON_SECRET: CHAOS_CRON_SECRET,
        ADMIN_EMAIL: "ops@acme.test",
        EMAIL_FROM: "Acme <noreply@acme.test>",
        JOB_MAX_DURATION_SECONDS: String(profile.handlerLimitSeconds),
        RESEND_RATE_LIMIT_PER_SECOND: String(profile.emailsPerSecond),
      },
      options.cwd,
    );
    const appUrl = app.url;
    log(`app on ${appUrl} at ${Date.now() - started} ms, QStash on ${stack.qstash().url}`);
    // The first request to each route loads its code, and the first delivery the job runtime and its
    // Redis client: do that before the faults start, so the first fault meets a warm app.
    await fetch(`${appUrl}/signup`);
    await fetch(`${appUrl}/api/webhooks/payments`, { method: "POST", body: "{}" });
    const queue = createJobQueue({
      client: new Client({ baseUrl: stack.qstash().url, token: stack.env.QSTASH_TOKEN!, retry: false, enableTelemetry: false }),
      appUrl,
    });
    await delivered(stack, (await queue.enqueue(testJob, { message: `warm-up-${runId}` })).messageId, deadline);
    log(`app warm at ${Date.now() - started} ms`);

    started = Date.now();
    plan = startFaultPlan(profile, stack, app, log);

    // Producers give up in time to leave the drain its reserve.
    const tally = emptyTally(deadline - profile.drainReserveMs);
    await runLoad(profile, tally, stack, appUrl, runId, started, log);
    log(
      `load done at ${Date.now() - started} ms: ${tally.signedUp.length} sign-ups, ${tally.webhooksAccepted.length} webhooks, ${tally.bulkPublished.length} bulk jobs; ${tally.signedIn.length} sign-ins; sign-ups refused ${tally.signupsRefused}, sign-ins refused ${tally.signInsRefused}, webhooks re-sent ${tally.webhooksRetried}, batches re-sent ${tally.bulkBatchesRetried}`,
    );
    // Deliveries and emails go on after the load: faults still waiting for their milestone get a bounded while.
    await settleWithin(plan.settled, Math.min(profile.settleMs, deadline - Date.now()));
    await plan.stop();
    log(`faults over at ${Date.now() - started} ms`);

    const drainStart = Date.now();
    const sweep = cronSweeper(appUrl);
    await drain(stack, deadline, sweep);
    // What the DLQ-redrive schedule does every ten minutes: give transient failures their second chance.
    // (A fresh client: QStash was restarted since the first one connected.)
    await createJobQueue({
      client: new Client({ baseUrl: stack.qstash().url, token: stack.env.QSTASH_TOKEN!, retry: false, enableTelemetry: false }),
      appUrl,
    }).enqueue(dlqRedrive, {});
    await drain(stack, deadline, sweep);
    const drainedMs = Date.now() - drainStart;
    log(`drained in ${drainedMs} ms`);

    const observed = await observe(stack, runId);
    const rows = checkInvariants(
      {
        signups: tally.signedUp,
        signIns: tally.signedIn,
        signupPrefix: `chaos-${runId}-`,
        webhooks: tally.webhooksAccepted,
        bulk: tally.bulkPublished,
        bulkFailing: tally.bulkFailing,
      },
      observed,
    );
    if (tally.gaveUp.length > 0)
      rows.push({ invariant: "producers that gave up", expected: "0", actual: String(tally.gaveUp.length), ok: false });
    const injected = { ...stack.injected(), ...plan.counts() };
    const windows = plan.windows();
    rows.push(...faultRows(configuredFaults(profile), injected, windows));
    return {
      profile: profile.name,
      rows,
      ok: rows.every((row) => row.ok),
      injected,
      windows,
      tally,
      jobs: tally.signedUp.length + tally.webhooksAccepted.length + tally.bulkPublished.length,
      durationMs: Date.now() - started,
      drainedMs,
    };
  } finally {
    await plan?.stop().catch(() => undefined);
    await app?.stop().catch(() => undefined);
    await stack.close();
  }
}

/** A run proves nothing about a fault it never injected: each configured kind must have happened, each window failed something. */
function faultRows(
  configured: string[],
  injected: Record<string, number>,
  windows: Array<{ window: string; failed: number }>,
): InvariantRow[] {
  const missing = configured.filter((kind) => !((injected[kind] ?? 0) > 0));
  const empty = windows.filter((window) => window.failed === 0).map((window) => window.window);
  return [
    {
      invariant: "fault kinds configured, not injected",
      expected: "none",
      actual: missing.length > 0 ? missing.join(", ") : `none (of ${configured.length})`,
      ok: missing.length === 0,
    },
    {
      invariant: "fault windows that failed no request",
      expected: "none",
      actual: empty.length > 0 ? empty.join(", ") : `none (of ${windows.length})`,
      ok: empty.length === 0,
    },
  ];
}

function settleWithin(settled: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([settled, new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, ms))))]).finally(() =>
    clearTimeout(timer),
  );
}

/** The three producers side by side, spread over `loadMs`, a few requests at a time each. */
async function runLoad(
  profile: ChaosProfile,
  tally: LoadTally,
  stack: ChaosStack,
  appUrl: string,
  runId: string,
  started: number,
  log: (line: string) => void,
) {
  const paced = async (count: number, work: (index: number) => Promise<void>) => {
    const spacing = profile.loadMs / Math.max(1, count);
    let next = 0;
    await Promise.all(
      Array.from({ length: LOAD_CONCURRENCY }, async () => {
        while (next < count) {
          const index = next++;
          const due = started + index * spacing - Date.now();
          if (due > 0) await new Promise((resolve) => setTimeout(resolve, due));
          await work(index);
        }
      }),
    );
  };
  const batches = Math.ceil(profile.bulkJobs / BULK_BATCH);
  const failingEvery = Math.round(1 / profile.failingShare);
  const done = (what: string) => () => log(`${what} done at ${Date.now() - started} ms`);
  await Promise.all([
    paced(profile.signups, async (index) => {
      const email = await signUp(() => appUrl, index, tally, runId);
      if (email) await signIn(() => appUrl, index, email, tally);
    }).then(done("sign-ups and sign-ins")),
    paced(profile.webhooks, (index) => sendWebhook(() => appUrl, index, tally, runId)).then(done("webhooks")),
    paced(batches, (batch) => {
      const indexes = Array.from(
        { length: Math.min(BULK_BATCH, profile.bulkJobs - batch * BULK_BATCH) },
        (_, i) => batch * BULK_BATCH + i,
      );
      return publishBatch(
        { url: stack.qstash().url, token: stack.env.QSTASH_TOKEN! },
        appUrl,
        indexes,
        (index) => index % failingEvery === 0,
        tally,
        runId,
      );
    }).then(done("bulk batches")),
  ]);
}

/** Resolves once QStash logs `messageId` as delivered; throws at the deadline. */
function delivered(stack: ChaosStack, messageId: string, deadline: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (!stack.events.some((event) => event.messageId === messageId && event.state === "DELIVERED")) return;
      stack.signals.off("progress", check);
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      stack.signals.off("progress", check);
      reject(new Error(`the warm-up job ${messageId} was not delivered in time`));
    }, deadline - Date.now());
    stack.signals.on("progress", check);
    check();
  });
}

const CHAOS_CRON_SECRET = "chaos-cron-secret-0123456789";
/** Vercel Cron calls the sweep route every minute; the drain calls it this often, to finish within the run. */
const DRAIN_SWEEP_EVERY_MS = 10_000;

/** Calls the app's outbox-sweep route as Vercel Cron does: outbox entries left by the faults go out. */
function cronSweeper(appUrl: string): () => Promise<void> {
  return async () => {
    try {
      await fetch(`${appUrl}${OUTBOX_SWEEP_CRON_PATH}`, {
        headers: { authorization: `Bearer ${CHAOS_CRON_SECRET}` },
        signal: AbortSignal.timeout(30_000),
      });
    } catch {
      // The next tick tries again, as the next minute's cron would.
    }
  };
}

/**
 * Waits until QStash holds nothing, duplicate copies are answered and the outbox is empty, or the
 * deadline passes, sweeping the outbox through the cron route while entries wait.
 */
async function drain(stack: ChaosStack, deadline: number, sweep: () => Promise<void>): Promise<void> {
  const redis = redisOf(stack);
  let lastSweep = Date.now();
  while (Date.now() < deadline) {
    const state = (await (await fetch(`${stack.qstash().url}/__stack/state`)).json()) as { messages: unknown[] };
    const outbox = await redis.zcard(OUTBOX_INDEX_KEY);
    if (state.messages.length === 0 && stack.qstash().faults.copiesPending === 0 && outbox === 0) return;
    if (outbox > 0 && Date.now() - lastSweep >= DRAIN_SWEEP_EVERY_MS) {
      lastSweep = Date.now();
      await sweep();
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const redisOf = (stack: ChaosStack) => new Redis({ url: stack.redis.url, token: stack.redis.token, enableTelemetry: false });

async function observe(stack: ChaosStack, runId: string) {
  const redis = redisOf(stack);
  const state = (await (await fetch(`${stack.qstash().url}/__stack/state`)).json()) as { messages: Array<{ messageId: string }> };
  const ids = [
    ...new Set(stack.events.filter((event) => /\/api\/(edge\/)?jobs\//.test(event.url)).map((event) => event.messageId)),
  ];
  const runStatus = new Map<string, string | undefined>();
  for (let start = 0; start < ids.length; start += 200) {
    const chunk = ids.slice(start, start + 200);
    const pipeline = redis.pipeline();
    for (const id of chunk) pipeline.hget(runKey(id), "status");
    const statuses = await pipeline.exec<Array<string | null>>();
    chunk.forEach((id, i) => {
      runStatus.set(id, statuses[i] ?? undefined);
    });
  }
  const users: string[] = [];
  let cursor: string | number = 0;
  do {
    const [next, keys]: [string | number, string[]] = await redis.scan(cursor, {
      match: `user:by-email:chaos-${runId}-*`,
      count: 1_000,
    });
    users.push(...keys.map((key) => key.slice("user:by-email:".length)));
    cursor = next;
  } while (String(cursor) !== "0");
  return {
    events: stack.events,
    pendingMessageIds: state.messages.map((message) => message.messageId),
    emails: stack.resend.emails(),
    runStatus,
    usersSignedUp: users.length,
    usersWithEmail: users,
    outboxPending: await redis.zcard(OUTBOX_INDEX_KEY),
  };
}
