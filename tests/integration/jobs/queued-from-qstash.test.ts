import { describe, expect, test } from "vitest";
import { findRun, getRun, runKey } from "@/lib/job-runtime";
import { handleAdminRequest } from "@/lib/admin/api";
import { handleJobStatusRequest } from "@/lib/job-status/status";
import { durableQueue } from "@/lib/jobs/outbox";
import { testJob } from "@/lib/jobs/test";
import { setupStackAndApp } from "../../helpers/stack-and-app";

// The producer writes nothing to Redis: a message nobody has claimed yet is "queued" because the
// local QStash (like QStash) still holds it; the route's claim writes the record from then on.
const ADMIN_TOKEN = "admin-token-0123456789abcdef";
const running = setupStackAndApp({
  app: { env: { ADMIN_TOKEN } },
  stackClock: true,
  reset: ["qstash", "redis"],
});
const authorized = (url: string) => new Request(url, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });

describe("a published job before and after its first delivery", () => {
  test("enqueue leaves Redis untouched; status reads queued from QStash, then the run record", async () => {
    const { services } = running.app;
    const { messageId } = await services.queue.enqueue(testJob, { message: "later" }, { delay: 60 });

    expect(await services.redis.exists(runKey(messageId))).toBe(0);
    expect(await services.redis.dbsize()).toBe(0);
    const queued = await findRun(services.redis, services.qstash.messages, messageId);
    expect(queued).toMatchObject({ messageId, job: "test", status: "queued", attempts: 0 });
    expect(queued!.notBefore! - queued!.queuedAt!).toBe(60_000);

    const answer = await handleJobStatusRequest(
      authorized(`${running.app.url}/api/job-status/${messageId}`),
      messageId,
      services,
    );
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({
      messageId,
      job: "test",
      status: "queued",
      timings: { queuedAt: new Date(queued!.queuedAt!).toISOString(), notBefore: new Date(queued!.notBefore!).toISOString() },
    });

    await running.stack.qstash.advance(60_000);
    await running.stack.qstash.idle();
    expect(await getRun(services.redis, messageId)).toMatchObject({ status: "succeeded", attempts: 1 });
    expect(await findRun(services.redis, services.qstash.messages, messageId)).toMatchObject({ status: "succeeded" });
  });

  test("the admin API answers for a queued message, and 404 for one neither side knows", async () => {
    const { services } = running.app;
    const { messageId } = await services.queue.enqueue(testJob, { message: "admin" }, { delay: 60 });
    const admin = (path: string) =>
      handleAdminRequest(authorized(`${running.app.url}/api/admin${path}`), {
        adminToken: ADMIN_TOKEN,
        qstash: services.qstash,
        redis: services.redis,
        clock: services.clock,
        outbox: durableQueue(services),
      });

    const found = await admin(`/runs/${messageId}`);
    expect(found.status).toBe(200);
    expect(await found.json()).toMatchObject({ run: { messageId, job: "test", status: "queued" } });
    expect((await admin("/runs/msg_nobody_published")).status).toBe(404);
    const status = await handleJobStatusRequest(
      authorized(`${running.app.url}/api/job-status/msg_nobody_published`),
      "msg_nobody_published",
      services,
    );
    expect(status.status).toBe(404);
  });

  test("enqueueMany costs no Redis request at all", async () => {
    const { services } = running.app;
    const results = await services.queue.enqueueMany(
      Array.from({ length: 150 }, (_, i) => ({ job: testJob, payload: { message: `m${i}` }, options: { delay: 60 } })),
    );
    expect(results).toHaveLength(150);
    expect(await services.redis.dbsize()).toBe(0);
    expect(await findRun(services.redis, services.qstash.messages, results[149]!.messageId)).toMatchObject({
      status: "queued",
    });
  });
});
