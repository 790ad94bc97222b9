import { Client } from "@upstash/qstash";
import { expect, test } from "vitest";
import { z } from "zod";
import { handleOutboxSweepCron } from "@/lib/cron/outbox-sweep";
import { desiredSchedules, scheduleDefinitions } from "@/lib/flows/schedules";
import { signUp } from "@/lib/flows/sign-up";
import { OUTBOX_SWEEP_GRACE_MS, stageOutboxEntries } from "@/lib/job-runtime";
import { defineJob } from "@/lib/jobs/context";
import { durableQueue } from "@/lib/jobs/outbox";
import { outboxSweep } from "@/lib/jobs/outbox-sweep";
import { jobs as registry } from "@/lib/jobs/registry";
import { startTestApp, type TestApp } from "@/harness/app";
import { setupStackAndApp } from "../../helpers/stack-and-app";

// The sweepers that publish what QStash refused: the Vercel Cron route (bearer
// CRON_SECRET) and the `outbox-sweep` job a QStash schedule runs every minute,
// against the local stack. A stranger triggers nothing; together they publish
// each leftover exactly once.

const CRON_SECRET = "cron-secret-for-tests-0123456789";
const CRON_PATH = "/api/cron/outbox-sweep";
// The route file is glue around this call (app/api/cron/outbox-sweep/route.ts).
const cronRoute = (request: Request, app: TestApp) =>
  handleOutboxSweepCron(request, {
    cronSecret: app.env.CRON_SECRET,
    outbox: durableQueue(app.services),
    clock: app.services.clock,
  });

const runs: string[] = [];
const counted = defineJob({
  name: "counted",
  schema: z.object({ id: z.string() }),
  retries: 0,
  async handler(payload) {
    runs.push(payload.id);
    return {};
  },
});

const running = setupStackAndApp({
  app: (stack) => ({
    registry: { ...registry, counted },
    env: { CRON_SECRET },
    routes: { [CRON_PATH]: cronRoute },
    // The SDK's own retries would only stretch each refused publish by seconds of real backoff.
    services: { qstash: new Client({ baseUrl: stack.qstash.url, token: stack.env.QSTASH_TOKEN!, retry: false }) },
  }),
  stackClock: true,
  reset: ["qstash", "redis", "resend"],
});

const cron = (authorization?: string, app = running.app) =>
  fetch(`${app.url}${CRON_PATH}`, authorization === undefined ? {} : { headers: { authorization } });
const queue = () => durableQueue(running.app.services);
const welcomes = (address: string) =>
  running.stack.resend.emails().filter((email) => email.to.includes(address) && email.subject.startsWith("Welcome"));

/** A sign-up while QStash refuses publishes: the account exists, its welcome and verification jobs wait in the outbox. */
async function signUpDuringOutage(email: string) {
  running.stack.qstash.faults.set({ publishOutage: { mode: "refuse" } });
  const result = await signUp(running.app.services, { name: "Ada", email, password: "lovelace-1815" });
  running.stack.qstash.faults.clear();
  if (!result.ok || result.outcome !== "created") throw new Error("sign-up failed");
  expect(await queue().depth()).toMatchObject({ pending: 2 });
  await running.stack.clock.advance(OUTBOX_SWEEP_GRACE_MS);
}

/** `count` counted-job entries written straight to the outbox, past the grace period. */
async function leftovers(count: number, options: { delay?: number } = {}) {
  const entries = Array.from({ length: count }, (_, n) => queue().prepare(counted, { id: `job-${n}` }, options));
  await stageOutboxEntries(running.app.services.redis.multi(), entries).exec();
  await running.stack.clock.advance(OUTBOX_SWEEP_GRACE_MS);
  runs.length = 0;
  return entries;
}

test("a stranger (no, wrong or malformed secret) gets 401 and nothing is published", async () => {
  await signUpDuringOutage("stranger-case@example.com");
  for (const authorization of [
    undefined,
    "",
    "Bearer wrong-secret",
    `Bearer ${CRON_SECRET}x`,
    `Bearer ${CRON_SECRET.slice(0, -1)}`,
    `Basic ${CRON_SECRET}`,
    CRON_SECRET,
    `bearer  ${CRON_SECRET}`,
  ]) {
    const response = await cron(authorization);
    expect(response.status, `authorization: ${authorization}`).toBe(401);
    expect(response.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(await response.json()).toEqual({ error: "unauthorized" });
  }
  expect(await queue().depth()).toMatchObject({ pending: 2 });
  await running.stack.qstash.idle();
  expect((await running.app.qstash.logs({ filter: { label: "welcome-email" } })).logs).toEqual([]);
  expect(welcomes("stranger-case@example.com")).toEqual([]);
});

test("the right secret publishes the leftover once; the welcome email goes out once", async () => {
  await signUpDuringOutage("cron-case@example.com");
  const first = await cron(`Bearer ${CRON_SECRET}`);
  expect(first.status).toBe(200);
  expect(await first.json()).toEqual({ ran: true, published: 2, pending: 0, rounds: 1 });
  expect(await queue().depth()).toMatchObject({ pending: 0 });
  const again = await cron(`Bearer ${CRON_SECRET}`);
  expect(await again.json()).toEqual({ ran: true, published: 0, pending: 0, rounds: 1 });
  await running.stack.qstash.advance(1_000);
  expect(welcomes("cron-case@example.com")).toHaveLength(1);
});

test("while QStash still refuses, the cron call reports the entry pending and keeps it", async () => {
  await signUpDuringOutage("still-down@example.com");
  running.stack.qstash.faults.set({ publishOutage: { mode: "error", status: 503 } });
  const response = await cron(`Bearer ${CRON_SECRET}`);
  running.stack.qstash.faults.clear();
  expect(await response.json()).toEqual({ ran: true, published: 0, pending: 2, rounds: 1 });
  expect(await queue().depth()).toMatchObject({ pending: 2 });
});

test("without CRON_SECRET the route answers 503 naming it and publishes nothing", async () => {
  await signUpDuringOutage("no-secret@example.com");
  const unconfigured = await startTestApp(running.stack, {
    routes: { [CRON_PATH]: cronRoute },
    services: { clock: { now: () => running.stack.clock.now() }, redis: running.app.services.redis },
  });
  try {
    expect(unconfigured.env.CRON_SECRET).toBeUndefined();
    for (const authorization of [undefined, `Bearer ${CRON_SECRET}`]) {
      const response = await cron(authorization, unconfigured);
      expect(response.status).toBe(503);
      expect((await response.json()).error).toMatch(/^CRON_SECRET is not set/);
    }
    expect(await queue().depth()).toMatchObject({ pending: 2 });
  } finally {
    await unconfigured.close();
  }
});

test("cron calls and scheduled sweep jobs at once: every leftover runs exactly once", async () => {
  const entries = await leftovers(30);
  const [cronAnswers] = await Promise.all([
    Promise.all(Array.from({ length: 10 }, () => cron(`Bearer ${CRON_SECRET}`).then((response) => response.json()))),
    Promise.all(Array.from({ length: 10 }, () => running.app.services.queue.enqueue(outboxSweep, {}))),
  ]);
  // Whichever sweep held the lock when the others came published; a later one finds the rest, if any.
  await running.stack.qstash.idle();
  expect(cronAnswers.every((answer) => answer.pending === 0)).toBe(true);
  expect(await queue().depth()).toMatchObject({ pending: 0 });
  expect(runs.sort()).toEqual(entries.map((_, n) => `job-${n}`).sort());
  const created = (await running.app.qstash.logs({ filter: { label: "counted", state: "CREATED" } })).logs;
  expect(created).toHaveLength(30);
});

test("sweeps that overlap without the lock still leave one message per entry (deduplication id)", async () => {
  const entries = await leftovers(10);
  // Each sweep takes the lock, so force overlap: once the first holds it, drop it as if it had expired, and sweep again.
  const { redis } = running.app.services;
  const first = queue().sweep();
  for (let polls = 0; (await redis.get("outbox:sweep-lock")) === null; polls++) expect(polls).toBeLessThan(1_000);
  await redis.del("outbox:sweep-lock");
  const results = await Promise.all([first, queue().sweep()]);
  await running.stack.qstash.idle();
  expect(results.map((result) => result.ran)).toEqual([true, true]);
  const published = results.flatMap((result) => result.published);
  expect(
    published
      .filter((entry) => !entry.deduplicated)
      .map((entry) => entry.entryId)
      .sort(),
  ).toEqual(entries.map((entry) => entry.id).sort());
  expect(runs.sort()).toEqual(entries.map((_, n) => `job-${n}`).sort());
  expect((await running.app.qstash.logs({ filter: { label: "counted", state: "CREATED" } })).logs).toHaveLength(10);
});

test("after a long outage one cron call drains a backlog larger than one sweep, in rounds", async () => {
  // Delayed an hour, so the test counts publishes without waiting for 450 deliveries.
  await leftovers(450, { delay: 3600 });
  const response = await cron(`Bearer ${CRON_SECRET}`);
  expect(await response.json()).toEqual({ ran: true, published: 450, pending: 0, rounds: 3 });
  expect(await queue().depth()).toMatchObject({ pending: 0 });
});

test("the every-minute QStash schedule runs the outbox-sweep job, which publishes the leftover", async () => {
  await signUpDuringOutage("scheduled@example.com");
  const desired = desiredSchedules(
    scheduleDefinitions({ timeZone: "UTC" }).filter((definition) => definition.job === outboxSweep),
    running.app.url,
  );
  expect(desired).toEqual([expect.objectContaining({ scheduleId: "outbox-sweep-every-minute", cron: "* * * * *" })]);
  await running.app.qstash.schedules.create(desired[0]!);
  try {
    await running.stack.qstash.advance(60_000);
    expect(await queue().depth()).toMatchObject({ pending: 0 });
    await running.stack.qstash.advance(1_000);
    expect(welcomes("scheduled@example.com")).toHaveLength(1);
    const sweeps = (await running.app.qstash.logs({ filter: { label: "outbox-sweep", state: "DELIVERED" } })).logs;
    expect(sweeps.length).toBeGreaterThanOrEqual(1);
  } finally {
    await running.app.qstash.schedules.delete("outbox-sweep-every-minute");
  }
});
