import { describe, expect, test } from "vitest";
import { expiredInvitesTask, isRemovableInvite } from "@/lib/cleanup/invites";
import { emailLogTask } from "@/lib/cleanup/email-log";
import { eventsIndexTask } from "@/lib/cleanup/events";
import { idempotencyTtlTask } from "@/lib/cleanup/idempotency";
import { jobRunsTask } from "@/lib/cleanup/job-runs";
import type { CleanupContext } from "@/lib/cleanup/task";
import { CLEANUP_TASK_NAMES } from "@/lib/cleanup/task-names";
import { cleanupTasks } from "@/lib/cleanup/tasks";
import { listEmailLog, recordEmail } from "@/lib/email-log/store";
import { EVENT_RETENTION_MS } from "@/lib/events/store";
import { DONE_TTL_MS, RECENT_RUNS_KEY, getRun, recordQueued } from "@/lib/job-runtime";
import { inviteKey, inviteTokenKey, insertInvite, orgInvitesKey, TOKEN_INDEX_GRACE_MS } from "@/lib/invites/store";
import { cleanupData } from "@/lib/jobs/cleanup-data";
import { jobs } from "@/lib/jobs/registry";
import { deliver, fakeServices } from "../../helpers/fake-services";
import { testEnv } from "../../helpers/env";
import { setupMemoryRedis } from "../../helpers/msw";

const env = testEnv();
const { redis: memory } = setupMemoryRedis(env.UPSTASH_REDIS_REST_URL);

const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.UTC(2026, 5, 1);
const { services } = fakeServices({ env, nowMs: NOW });
const { redis } = services;
const context = (overrides: Partial<CleanupContext> = {}): CleanupContext => ({
  redis,
  nowMs: NOW,
  signal: new AbortController().signal,
  maxKeys: 5_000,
  retention: { emailLogMs: 30 * DAY, jobRunsMs: 14 * DAY },
  ...overrides,
});

describe("email-log task", () => {
  test("deletes entries last written before the retention and index entries whose hash is gone", async () => {
    const base = {
      job: "welcome-email",
      userId: "u1",
      to: "a@example.com",
      subject: "s",
      attempts: 1,
      messageId: "m",
      status: "sent" as const,
    };
    await recordEmail(redis, { ...base, key: "old" }, NOW - 40 * DAY);
    await recordEmail(redis, { ...base, key: "fresh" }, NOW - DAY);
    await recordEmail(redis, { ...base, key: "orphan" }, NOW - DAY);
    await redis.del("email-log:u1:orphan");
    // Rewritten recently although created long ago: kept.
    await recordEmail(redis, { ...base, key: "retried" }, NOW - 40 * DAY);
    await recordEmail(redis, { ...base, key: "retried", status: "sent" }, NOW - DAY);

    const report = await emailLogTask.run(context());
    expect(report).toEqual({ task: "email-log", scanned: 1, removed: 2, complete: true });
    expect((await listEmailLog(redis, "u1")).map((entry) => entry.key).sort()).toEqual(["fresh", "retried"]);
    expect(await redis.zrange("email-log:u1", 0, -1)).toHaveLength(2);
    expect(await redis.exists("email-log:u1:old")).toBe(0);
  });
});

describe("job-runs task", () => {
  test("deletes run records older than the retention and trims the recent list; unknown shapes stay", async () => {
    await recordQueued(redis, { messageId: "old", jobName: "test", deduplicated: false }, NOW - 20 * DAY);
    await recordQueued(redis, { messageId: "new", jobName: "test", deduplicated: false }, NOW - DAY);
    await redis.hset("job:run:weird", { note: "not a run record" });

    const report = await jobRunsTask.run(context());
    expect(report.removed).toBe(2); // the recent-list entry and the hash of "old"
    expect(report.complete).toBe(true);
    expect(await getRun(redis, "old")).toBeNull();
    expect(await getRun(redis, "new")).not.toBeNull();
    expect(await redis.exists("job:run:weird")).toBe(1);
    expect((await redis.zrange<string[]>(RECENT_RUNS_KEY, 0, -1)).map(String)).toEqual(["new"]);
  });
});

describe("expired-invites task", () => {
  const invite = (id: string, expiresAt: number, email = `${id}@example.com`) => ({
    id,
    orgId: "org_1",
    email,
    invitedBy: "usr_1",
    tokenHash: `hash_${id}`,
    expiresAt,
  });

  test("isRemovableInvite: expired past the grace period only; other shapes are left alone", () => {
    const raw = {
      id: "inv_1",
      orgId: "org_1",
      email: "a@example.com",
      tokenHash: "h",
      status: "PENDING",
      expiresAt: NOW - TOKEN_INDEX_GRACE_MS,
    };
    expect(isRemovableInvite(raw, NOW)).toBe(true);
    expect(isRemovableInvite({ ...raw, status: "EXPIRED" }, NOW)).toBe(true);
    expect(isRemovableInvite({ ...raw, expiresAt: NOW - TOKEN_INDEX_GRACE_MS + 1 }, NOW)).toBe(false);
    expect(isRemovableInvite({ ...raw, status: "ACCEPTED" }, NOW)).toBe(false);
    expect(isRemovableInvite({ ...raw, status: "CANCELLED" }, NOW)).toBe(false);
    expect(isRemovableInvite({ status: "PENDING", expiresAt: 1 }, NOW)).toBe(false);
    expect(isRemovableInvite({ ...raw, expiresAt: "soon" }, NOW)).toBe(false);
    expect(isRemovableInvite(null, NOW)).toBe(false);
  });

  test("removes long-expired invites with their index entries; keeps live ones and foreign keys", async () => {
    const created = NOW - 60 * DAY;
    await insertInvite(redis, invite("inv_old", created + 7 * DAY), created);
    await insertInvite(redis, invite("inv_live", NOW + DAY), NOW - DAY);
    await redis.hset("invite:legacy", { something: "else" });

    const report = await expiredInvitesTask.run(context());
    expect(report).toMatchObject({ task: "expired-invites", removed: 1, complete: true });
    expect(await redis.exists(inviteKey("inv_old"))).toBe(0);
    expect(await redis.exists(inviteKey("inv_live"))).toBe(1);
    expect(await redis.exists("invite:legacy")).toBe(1);
    expect(await redis.exists(inviteTokenKey("hash_inv_live"))).toBe(1);
    expect((await redis.zrange<string[]>(orgInvitesKey("org_1"), 0, -1)).map(String)).toEqual(["inv_live"]);
  });
});

describe("idempotency-ttl task", () => {
  test("idempotency keys all carry a TTL; one without gets the done TTL", async () => {
    await redis.set("idem:test:a", "done:m1", { px: DONE_TTL_MS });
    await redis.set("idem:test:b", "done:m2");
    const report = await idempotencyTtlTask.run(context());
    expect(report).toEqual({ task: "idempotency-ttl", scanned: 2, removed: 1, complete: true });
    expect(await redis.pttl("idem:test:b")).toBeGreaterThan(0);
  });
});

describe("events-index task", () => {
  test("drops index entries of events that ended their retention", async () => {
    await redis.zadd(
      "events:u1",
      { score: NOW - EVENT_RETENTION_MS - 1, member: "cal_old" },
      { score: NOW + DAY, member: "cal_new" },
    );
    expect(await eventsIndexTask.run(context())).toMatchObject({ removed: 1, complete: true });
    expect(await redis.zrange("events:u1", 0, -1)).toEqual(["cal_new"]);
  });
});

describe("bounded scans", () => {
  test("a run stops at its key budget and the next run resumes from the saved cursor", async () => {
    const pipeline = redis.pipeline();
    for (let index = 0; index < 700; index++) pipeline.set(`idem:test:k${index}`, "done:m");
    await pipeline.exec();

    const first = await idempotencyTtlTask.run(context({ maxKeys: 200 }));
    expect(first.complete).toBe(false);
    expect(first.scanned).toBeLessThan(700);
    let total = first.scanned;
    let last = first;
    for (let run = 0; run < 20 && !last.complete; run++) {
      last = await idempotencyTtlTask.run(context({ maxKeys: 200 }));
      total += last.scanned;
    }
    expect(last.complete).toBe(true);
    expect(total).toBeGreaterThanOrEqual(700);
    expect(await redis.exists("cleanup:cursor:idempotency-ttl")).toBe(0);
  });

  test("an aborted run stops before touching Redis", async () => {
    const controller = new AbortController();
    controller.abort(new Error("deadline"));
    const before = memory.commands;
    await expect(idempotencyTtlTask.run(context({ signal: controller.signal }))).rejects.toThrow("deadline");
    expect(memory.commands - before).toBeLessThanOrEqual(1); // the saved-cursor read
  });
});

describe("cleanup-data job", () => {
  test("its schema's task names are the tasks it runs, in their order", () => {
    expect(cleanupTasks.map((task) => task.name)).toEqual([...CLEANUP_TASK_NAMES]);
  });

  test("runs every task and reports what each removed", async () => {
    const ctx = fakeServices({ env, nowMs: NOW });
    await recordQueued(redis, { messageId: "ancient", jobName: "test", deduplicated: false }, NOW - 30 * DAY);
    const answer = await deliver(ctx.services, cleanupData, {}, { registry: { "cleanup-data": jobs["cleanup-data"] } });
    expect(answer.status).toBe(200);
    const result = answer.body.result as { removed: number; reports: Array<{ task: string }> };
    expect(result.reports.map((report) => report.task)).toEqual(cleanupTasks.map((task) => task.name));
    expect(result.removed).toBeGreaterThanOrEqual(2);
  });

  test("a subset of tasks; unknown task names are refused (489)", async () => {
    const ctx = fakeServices({ env, nowMs: NOW });
    const registry = { "cleanup-data": jobs["cleanup-data"] };
    const subset = await deliver(ctx.services, cleanupData, { tasks: ["job-runs"] }, { registry });
    expect((subset.body.result as { reports: Array<{ task: string }> }).reports.map((report) => report.task)).toEqual([
      "job-runs",
    ]);
    expect((await deliver(ctx.services, cleanupData, { tasks: ["everything"] }, { registry })).status).toBe(489);
  });

  test("defaults keep what the stores promise (email log 90 days, runs 14 days)", () => {
    expect(cleanupData.schema.parse({})).toEqual({ emailLogRetentionDays: 90, jobRunRetentionDays: 14, maxKeysPerTask: 5000 });
  });
});
