import { beforeEach, describe, expect, test } from "vitest";
import { z } from "zod";
import { NonRetryableError, getRun } from "@/lib/job-runtime";
import { defineJob } from "@/lib/jobs/context";
import { jobs as registry } from "@/lib/jobs/registry";
import { testJob } from "@/lib/jobs/test";
import { deleteEntries, getDlqEntry, listDlq, resolveSelection, retryEntries } from "@/lib/dlq/operations";
import { setupStackAndApp } from "../../helpers/stack-and-app";

// The DLQ operations through the official client against the local QStash:
// a job that fails non-retryably is listed decoded, and a retry delivers it again.
let broken = true;

const flaky = defineJob({
  name: "flaky",
  schema: z.object({ orderId: z.string() }),
  retries: 0,
  async handler(payload) {
    if (broken) throw new NonRetryableError(`downstream rejected order ${payload.orderId}`);
    return { orderId: payload.orderId };
  },
});

const running = setupStackAndApp({ app: { registry: { ...registry, flaky } }, reset: ["qstash"] });
beforeEach(() => {
  broken = true;
});

async function failTestJob(message: string) {
  const { messageId } = await running.app.services.queue.enqueue(testJob, { message, failWith: "non-retryable" });
  await running.stack.qstash.idle();
  return messageId;
}

describe("DLQ against the local QStash", () => {
  test("a non-retryable test job is listed with its decoded payload and reason", async () => {
    const messageId = await failTestJob("list me");
    const { entries } = await listDlq(running.app.qstash, { filter: { job: "test", status: 489 } });
    expect(entries).toEqual([
      expect.objectContaining({
        messageId,
        jobName: "test",
        responseStatus: 489,
        reason: "test job asked to fail: list me",
        payload: { message: "list me", failWith: "non-retryable" },
        labels: ["test"],
      }),
    ]);
    const detail = await getDlqEntry(running.app.qstash, entries[0]!.dlqId);
    expect(detail).toMatchObject({ responseBody: { error: "test job asked to fail: list me", job: "test", messageId } });
    expect(Object.keys(detail!.headers).map((name) => name.toLowerCase())).toContain("content-type");
    expect(await getRun(running.app.services.redis, messageId)).toMatchObject({ status: "dead", dlqId: entries[0]!.dlqId });
  });

  test("filters by job, status and time range on the server", async () => {
    await failTestJob("one");
    broken = true;
    await running.app.services.queue.enqueue(flaky, { orderId: "o-1" });
    await running.stack.qstash.idle();
    expect((await listDlq(running.app.qstash)).entries).toHaveLength(2);
    expect((await listDlq(running.app.qstash, { filter: { job: "flaky" } })).entries.map((entry) => entry.jobName)).toEqual([
      "flaky",
    ]);
    expect((await listDlq(running.app.qstash, { filter: { status: 500 } })).entries).toEqual([]);
    const now = running.stack.clock.now();
    expect((await listDlq(running.app.qstash, { filter: { fromDate: now + 60_000 } })).entries).toEqual([]);
    expect(
      (await listDlq(running.app.qstash, { filter: { fromDate: now - 60_000, toDate: now + 60_000 } })).entries,
    ).toHaveLength(2);
  });

  test("retrying delivers the message again under a new id, and it succeeds once the cause is fixed", async () => {
    const { messageId } = await running.app.services.queue.enqueue(flaky, { orderId: "o-2" });
    await running.stack.qstash.idle();
    const [entry] = (await listDlq(running.app.qstash, { filter: { job: "flaky" } })).entries;
    expect(entry).toMatchObject({ messageId, reason: "downstream rejected order o-2" });

    broken = false;
    const outcome = await retryEntries(running.app.qstash, [entry!]);
    expect(outcome.failed).toEqual([]);
    const replayId = outcome.retried[0]!.messageId!;
    expect(replayId).toBeTruthy();
    expect(replayId).not.toBe(messageId);
    await running.stack.qstash.idle();

    expect(await getRun(running.app.services.redis, replayId)).toMatchObject({
      job: "flaky",
      status: "succeeded",
      result: { orderId: "o-2" },
    });
    expect((await listDlq(running.app.qstash)).entries).toEqual([]);
  });

  test("a retried test job reaches the route again and, failing again, comes back as a new entry", async () => {
    const first = await failTestJob("again");
    const entries = await resolveSelection(running.app.qstash, { filter: { job: "test" } });
    const outcome = await retryEntries(running.app.qstash, entries);
    await running.stack.qstash.idle();
    const replayId = outcome.retried[0]!.messageId!;
    expect(await getRun(running.app.services.redis, replayId)).toMatchObject({ status: "dead", attempts: 1 });
    const after = (await listDlq(running.app.qstash)).entries;
    expect(after.map((entry) => entry.messageId)).toEqual([replayId]);
    expect(after[0]!.messageId).not.toBe(first);
  });

  test("bulk delete by filter leaves other jobs alone", async () => {
    await failTestJob("a");
    await failTestJob("b");
    await running.app.services.queue.enqueue(flaky, { orderId: "o-3" });
    await running.stack.qstash.idle();
    const targets = await resolveSelection(running.app.qstash, { filter: { job: "test" } });
    expect(targets).toHaveLength(2);
    expect(await deleteEntries(running.app.qstash, targets)).toEqual({ deleted: 2, failed: [] });
    expect((await listDlq(running.app.qstash)).entries.map((entry) => entry.jobName)).toEqual(["flaky"]);
  });
});
