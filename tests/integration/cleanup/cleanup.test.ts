import { describe, expect, test } from "vitest";
import { inviteKey, insertInvite, TOKEN_INDEX_GRACE_MS } from "@/lib/invites/store";
import { leaseKey, getRun, recordQueued } from "@/lib/job-runtime";
import { cleanupData } from "@/lib/jobs/cleanup-data";
import { testJob } from "@/lib/jobs/test";
import { setupStackAndApp } from "../../helpers/stack-and-app";

// cleanup-data through QStash against the Redis REST emulator (real Lua, SCAN and TTLs).
const DAY = 24 * 60 * 60 * 1000;

const running = setupStackAndApp({ stackClock: true, reset: ["qstash", "redis"] });

describe("cleanup-data", () => {
  test("removes a long-expired invite and an old run record, keeps fresh data, and every idempotency key has a TTL", async () => {
    const now = running.stack.clock.now();
    const { redis } = running.app.services;
    await insertInvite(
      redis,
      {
        id: "inv_old",
        orgId: "org_1",
        email: "old@example.com",
        invitedBy: "usr_1",
        tokenHash: "h_old",
        expiresAt: now - TOKEN_INDEX_GRACE_MS - DAY,
      },
      now - TOKEN_INDEX_GRACE_MS - 8 * DAY,
    );
    await insertInvite(
      redis,
      { id: "inv_new", orgId: "org_1", email: "new@example.com", invitedBy: "usr_1", tokenHash: "h_new", expiresAt: now + DAY },
      now,
    );
    await recordQueued(redis, { messageId: "msg_ancient", jobName: "test", deduplicated: false }, now - 30 * DAY);
    const { messageId: fresh } = await running.app.services.queue.enqueue(testJob, { message: "recent" });
    await running.stack.qstash.idle();

    const { messageId } = await running.app.services.queue.enqueue(cleanupData, {});
    await running.stack.qstash.idle();
    const run = await getRun(redis, messageId);
    expect(run).toMatchObject({ status: "succeeded" });
    const result = run!.result as { reports: Array<{ task: string; removed: number; complete: boolean }> };
    expect(result.reports.every((report) => report.complete)).toBe(true);
    expect(result.reports.find((report) => report.task === "expired-invites")?.removed).toBe(1);
    expect(result.reports.find((report) => report.task === "idempotency-ttl")?.removed).toBe(0);

    expect(await redis.exists(inviteKey("inv_old"))).toBe(0);
    expect(await redis.exists(inviteKey("inv_new"))).toBe(1);
    expect(await getRun(redis, "msg_ancient")).toBeNull();
    expect(await getRun(redis, fresh)).toMatchObject({ status: "succeeded" });
    expect(await redis.pttl(leaseKey(`test/${fresh}`))).toBeGreaterThan(0);
  });
});
