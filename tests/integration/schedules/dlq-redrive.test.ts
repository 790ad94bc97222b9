import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { z } from "zod";
import { RetryableError, getRun } from "@/lib/job-runtime";
import { defineJob } from "@/lib/jobs/context";
import { dlqRedrive, listRedriveReports } from "@/lib/jobs/dlq-redrive";
import { jobs as registry } from "@/lib/jobs/registry";
import { testJob } from "@/lib/jobs/test";
import { startTestApp, type TestApp } from "../../../harness/app";
import { startTestStack, type TestStack } from "../../../harness/stack";

// dlq-redrive against the local QStash's real DLQ: a 503 death is retried once, a 489 one stays.
let stack: TestStack;
let app: TestApp;
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

beforeAll(async () => {
  stack = await startTestStack();
  app = await startTestApp(stack, { registry: { ...registry, fragile }, services: { clock: { now: () => stack.clock.now() } } });
});
afterAll(async () => {
  await app?.close();
  await stack?.close();
});
beforeEach(async () => {
  stack.qstash.reset();
  await stack.redis.flush();
  upstreamDown = true;
  attempts.length = 0;
});

async function redrive() {
  const { messageId } = await app.services.queue.enqueue(dlqRedrive, {});
  await stack.qstash.idle();
  return (await getRun(app.services.redis, messageId))?.result as { retried: number; skipped: Record<string, number> };
}

async function deadLetters() {
  return (await app.qstash.dlq.listMessages()).messages.map((message) => ({ messageId: message.messageId, status: message.responseStatus }));
}

describe("dlq-redrive", () => {
  test("retries a message that died on 503 once, and leaves one that died on 489", async () => {
    const transient = await app.services.queue.enqueue(fragile, { id: "a" });
    const permanent = await app.services.queue.enqueue(testJob, { message: "bad", failWith: "non-retryable" });
    await stack.qstash.idle();
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

    const [report] = await listRedriveReports(app.services.redis);
    const newMessageId = report!.retried[0]!.newMessageId!;
    expect(report!.retried[0]).toMatchObject({ messageId: transient.messageId, jobName: "fragile", responseStatus: 503 });
    expect(await getRun(app.services.redis, newMessageId)).toMatchObject({ job: "fragile", status: "succeeded" });

    // A second run finds nothing to do.
    expect(await redrive()).toMatchObject({ retried: 0, skipped: { permanent: 1 } });
    expect(attempts).toEqual(["a", "a"]);
  });

  test("at most once: a re-driven message that dies again stays in the DLQ", async () => {
    await app.services.queue.enqueue(fragile, { id: "b" });
    await stack.qstash.idle();
    expect(await redrive()).toMatchObject({ retried: 1 });
    await stack.qstash.idle();
    expect(attempts).toEqual(["b", "b"]);
    expect(await deadLetters()).toHaveLength(1);

    expect(await redrive()).toMatchObject({ retried: 0, skipped: { "already-redriven": 1 } });
    expect(attempts).toEqual(["b", "b"]);
  });
});
