import { beforeEach, describe, expect, test } from "vitest";
import { z } from "zod";
import { RetryableError, getRun } from "@/lib/job-runtime";
import { defineJob } from "@/lib/jobs/context";
import { PAGE_SIZE } from "@/lib/dlq/operations";
import { dlqRedrive, listRedriveReports } from "@/lib/jobs/dlq-redrive";
import { jobs as registry } from "@/lib/jobs/registry";
import { testJob } from "@/lib/jobs/test";
import { setupStackAndApp } from "../../helpers/stack-and-app";

// dlq-redrive against the local QStash's real DLQ: a 503 death is retried once, a 489 one stays.
let upstreamDown = true;
const attempts: string[] = [];

const fragile = defineJob({
  name: "fragile",
  schema: z.object({ id: z.string() }),
  retries: 0,
  async handler(payload) {
    attempts.push(payload.id);
    if (upstreamDown) throw new RetryableError("upstream unavailable");
    return { id: payload.id };
  },
});

const running = setupStackAndApp({ app: { registry: { ...registry, fragile } }, stackClock: true, reset: ["qstash", "redis"] });
beforeEach(() => {
  upstreamDown = true;
  attempts.length = 0;
});

async function redrive() {
  const { messageId } = await running.app.services.queue.enqueue(dlqRedrive, {});
  await running.stack.qstash.idle();
  return (await getRun(running.app.services.redis, messageId))?.result as { retried: number; skipped: Record<string, number> };
}

/** Every DLQ entry, all pages. */
async function deadLetters() {
  const entries: Array<{ messageId: string; status: number | undefined }> = [];
  let cursor: string | undefined;
  for (let page = 0; page < 10; page++) {
    const result = await running.app.qstash.dlq.listMessages(cursor ? { cursor } : {});
    entries.push(...result.messages.map((message) => ({ messageId: message.messageId, status: message.responseStatus })));
    if (!result.cursor) break;
    cursor = result.cursor;
  }
  return entries;
}

describe("dlq-redrive", () => {
  test("retries a message that died on 503 once, and leaves one that died on 489", async () => {
    const transient = await running.app.services.queue.enqueue(fragile, { id: "a" });
    const permanent = await running.app.services.queue.enqueue(testJob, { message: "bad", failWith: "non-retryable" });
    await running.stack.qstash.idle();
    expect(await deadLetters()).toEqual(
      expect.arrayContaining([
        { messageId: transient.messageId, status: 503 },
        { messageId: permanent.messageId, status: 489 },
      ]),
    );

    upstreamDown = false;
    const summary = await redrive();
    expect(summary).toMatchObject({ retried: 1, skipped: { permanent: 1 } });
    expect(attempts).toEqual(["a", "a"]);
    expect(await deadLetters()).toEqual([{ messageId: permanent.messageId, status: 489 }]);

    const [report] = await listRedriveReports(running.app.services.redis);
    const newMessageId = report!.retried[0]!.newMessageId!;
    expect(report!.retried[0]).toMatchObject({ messageId: transient.messageId, jobName: "fragile", responseStatus: 503 });
    expect(await getRun(running.app.services.redis, newMessageId)).toMatchObject({ job: "fragile", status: "succeeded" });

    // A second run finds nothing to do.
    expect(await redrive()).toMatchObject({ retried: 0, skipped: { permanent: 1 } });
    expect(attempts).toEqual(["a", "a"]);
  });

  test("reads past a full page of entries it leaves in the DLQ to the transient death behind them", async () => {
    // The DLQ lists oldest first and keeps 489s: over a page of them at the head must not hide a newer 503.
    await running.app.services.queue.enqueueMany(
      Array.from({ length: PAGE_SIZE + 1 }, (_, index) => ({
        job: testJob,
        payload: { message: `bad-${index}`, failWith: "non-retryable" as const },
      })),
    );
    await running.stack.qstash.idle();
    const transient = await running.app.services.queue.enqueue(fragile, { id: "late" });
    await running.stack.qstash.idle();
    expect(await deadLetters()).toHaveLength(PAGE_SIZE + 2);

    upstreamDown = false;
    expect(await redrive()).toMatchObject({ retried: 1, scanned: PAGE_SIZE + 2, skipped: { permanent: PAGE_SIZE + 1 } });
    expect(attempts).toEqual(["late", "late"]);
    expect((await deadLetters()).map((entry) => entry.messageId)).not.toContain(transient.messageId);
  });

  test("at most once: a re-driven message that dies again stays in the DLQ", async () => {
    await running.app.services.queue.enqueue(fragile, { id: "b" });
    await running.stack.qstash.idle();
    expect(await redrive()).toMatchObject({ retried: 1 });
    await running.stack.qstash.idle();
    expect(attempts).toEqual(["b", "b"]);
    expect(await deadLetters()).toHaveLength(1);

    expect(await redrive()).toMatchObject({ retried: 0, skipped: { "already-redriven": 1 } });
    expect(attempts).toEqual(["b", "b"]);
  });
});
