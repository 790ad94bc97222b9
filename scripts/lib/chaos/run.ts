/**
 * One chaos run: the production build under load from its real producers while
 * the faults of a profile overlap, then a drain, then the invariants.
 */
import { Client } from "@upstash/qstash";
import { Redis } from "@upstash/redis";
import { createJobQueue, runKey, OUTBOX_INDEX_KEY } from "@/lib/job-runtime";
import { dlqRedrive } from "@/lib/jobs/dlq-redrive";
import { startApp, type ChaosApp } from "./app";
import { checkInvariants, type InvariantRow } from "./invariants";
import { CHAOS_PAYMENTS_SECRET, emptyTally, publishBatch, sendWebhook, signUp, type LoadTally } from "./load";
import type { ChaosProfile } from "./profile";
import { startChaosStack, type ChaosStack } from "./stack";

export interface ChaosResult {
  profile: string;
  rows: InvariantRow[];
  ok: boolean;
  /** Faults that actually happened, by kind. */
  injected: Record<string, number>;
  tally: LoadTally;
  jobs: number;
  durationMs: number;
  drainedMs: number;
}

const BULK_BATCH = 50;
const LOAD_CONCURRENCY = 8;

export async function runChaos(
  profile: ChaosProfile,
  options: { log?: (line: string) => void; cwd?: string } = {},
): Promise<ChaosResult> {
  const log = options.log ?? (() => undefined);
  let started = Date.now();
  const deadline = started + profile.timeLimitMs;
  const runId = started.toString(36);
  const stack = await startChaosStack({ duplicateRate: profile.duplicateRate });
  let app: ChaosApp | undefined;
  const timers: NodeJS.Timeout[] = [];
  const kills = { appKills: 0, resendOutages: 0, slowResendWindows: 0 };
  try {
    app = await startApp(
      {
        ...stack.env,
        PAYMENTS_WEBHOOK_SECRET: CHAOS_PAYMENTS_SECRET,
        ADMIN_TOKEN: "chaos-admin-token-0123456789",
        ADMIN_EMAIL: "ops@acme.test",
        EMAIL_FROM: "Acme <noreply@acme.test>",
        JOB_MAX_DURATION_SECONDS: String(profile.handlerLimitSeconds),
      },
      options.cwd,
    );
    const appUrl = app.url;
    log(`app on ${appUrl}, QStash on ${stack.qstash().url}`);
    // The first request to each route loads its code; do that before the fault clock starts.
    await fetch(`${appUrl}/signup`);
    await fetch(`${appUrl}/api/webhooks/payments`, { method: "POST", body: "{}" });
    await fetch(`${appUrl}/api/jobs/test`, { method: "POST", body: "{}" });

    started = Date.now();
    // Resend answers 500 or 429 for a share of sends all along; the status flips so both kinds happen.
    const resendErrors = () =>
      stack.resend.faults.set({
        errorRate: profile.resendErrorRate,
        status: stack.resend.faults.get().status === 429 ? 500 : 429,
      });
    resendErrors();
    const at = (ms: number, action: () => unknown) =>
      timers.push(
        setTimeout(() => {
          Promise.resolve(action()).catch((error: unknown) => log(`fault action failed: ${String(error)}`));
        }, ms),
      );
    for (let ms = 2_000; ms < profile.loadMs; ms += 2_000)
      at(ms, () => {
        if (stack.resend.faults.get().errorRate !== undefined) resendErrors();
      });
    at(profile.resendOutage.atMs, () => {
      kills.resendOutages += 1;
      stack.resend.faults.set({ status: 503 });
    });
    at(profile.resendOutage.atMs + profile.resendOutage.durationMs, resendErrors);
    at(profile.slowResend.atMs, () => {
      kills.slowResendWindows += 1;
      stack.resend.faults.set({ latencyMs: profile.slowResend.latencyMs });
    });
    at(profile.slowResend.atMs + profile.slowResend.durationMs, resendErrors);
    for (const outage of profile.redisOutages)
      at(outage.atMs, () => stack.redis.faults.set({ outage: { mode: outage.mode, durationMs: outage.durationMs } }));
    for (const ms of profile.appKillsAtMs) {
      at(ms, async () => {
        await app!.kill();
        kills.appKills += 1;
        log(`app killed (SIGKILL) at ${Date.now() - started} ms`);
        await app!.start();
        log(`app back at ${Date.now() - started} ms`);
      });
    }
    for (const ms of profile.qstashRestartsAtMs) {
      at(ms, async () => {
        await stack.restartQStash();
        log(`QStash restarted at ${Date.now() - started} ms`);
      });
    }
    at(profile.publishOutage.atMs, () =>
      stack
        .qstash()
        .faults.set({ publishOutage: { mode: profile.publishOutage.mode, durationMs: profile.publishOutage.durationMs } }),
    );

    // Producers give up in time to leave a quarter of the run for the drain.
    const tally = emptyTally(started + (profile.timeLimitMs * 3) / 4);
    await runLoad(profile, tally, stack, appUrl, runId, started, log);
    log(
      `load done at ${Date.now() - started} ms: ${tally.signedUp.length} sign-ups, ${tally.webhooksAccepted.length} webhooks, ${tally.bulkPublished.length} bulk jobs`,
    );
    for (const timer of timers) clearTimeout(timer);
    stack.resend.faults.clear();
    stack.redis.faults.clear();
    stack.qstash().faults.clear();

    const drainStart = Date.now();
    await drain(stack, deadline);
    // What the DLQ-redrive schedule does every ten minutes: give transient failures their second chance.
    const queue = createJobQueue({
      client: new Client({ baseUrl: stack.qstash().url, token: stack.env.QSTASH_TOKEN!, retry: false, enableTelemetry: false }),
      appUrl,
    });
    await queue.enqueue(dlqRedrive, {});
    await drain(stack, deadline);
    const drainedMs = Date.now() - drainStart;
    log(`drained in ${drainedMs} ms`);

    const observed = await observe(stack, runId);
    const rows = checkInvariants(
      {
        signups: tally.signedUp,
        signupPrefix: `chaos-${runId}-`,
        webhooks: tally.webhooksAccepted,
        bulk: tally.bulkPublished,
        bulkFailing: tally.bulkFailing,
      },
      observed,
    );
    if (tally.gaveUp.length > 0)
      rows.push({ invariant: "producers that gave up", expected: "0", actual: String(tally.gaveUp.length), ok: false });
    return {
      profile: profile.name,
      rows,
      ok: rows.every((row) => row.ok),
      injected: { ...stack.injected(), ...kills },
      tally,
      jobs: tally.signedUp.length + tally.webhooksAccepted.length + tally.bulkPublished.length,
      durationMs: Date.now() - started,
      drainedMs,
    };
  } finally {
    for (const timer of timers) clearTimeout(timer);
    await app?.stop().catch(() => undefined);
    await stack.close();
  }
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
    paced(profile.signups, (index) => signUp(() => appUrl, index, tally, runId)).then(done("sign-ups")),
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

/** Waits until QStash holds nothing, duplicate copies are answered and the outbox is empty, or the deadline passes. */
async function drain(stack: ChaosStack, deadline: number): Promise<void> {
  const redis = redisOf(stack);
  while (Date.now() < deadline) {
    const state = (await (await fetch(`${stack.qstash().url}/__stack/state`)).json()) as { messages: unknown[] };
    const outbox = await redis.zcard(OUTBOX_INDEX_KEY);
    if (state.messages.length === 0 && stack.qstash().faults.copiesPending === 0 && outbox === 0) return;
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
