import { expect, test } from "vitest";
import { z } from "zod";
import { defineJob } from "@/lib/jobs/context";
import { jobs as registry } from "@/lib/jobs/registry";
import { getRun } from "@/lib/job-runtime";
import { setupStackAndApp } from "../../helpers/stack-and-app";

// A job slower than its budget, delivered by the local QStash over real HTTP:
// the first attempt is cut off with a retryable 504, its lease is released, and
// QStash's retry runs it to completion.
const attempts: Array<{ retried: number; aborted: boolean }> = [];

const slow = defineJob({
  name: "slow-report",
  schema: z.object({ reportId: z.string() }),
  retries: 2,
  retryDelay: "1000",
  async handler(payload, context) {
    const attempt = { retried: context.retried, aborted: false };
    attempts.push(attempt);
    if (context.retried === 0) {
      // Pretend to work until the deadline says stop.
      await new Promise<void>((_, reject) =>
        context.signal.addEventListener(
          "abort",
          () => {
            attempt.aborted = true;
            reject(context.signal.reason);
          },
          { once: true },
        ),
      );
    }
    return { reportId: payload.reportId };
  },
});

const running = setupStackAndApp({ app: { registry: { ...registry, "slow-report": slow }, budgetMs: () => 50 } });

test("a timed-out attempt answers 504, frees its lease, and the retry finishes the job", async () => {
  const { messageId } = await running.app.services.queue.enqueue(slow, { reportId: "r-1" });
  await running.stack.qstash.idle();
  expect(attempts).toEqual([{ retried: 0, aborted: true }]);
  expect(await getRun(running.app.services.redis, messageId)).toMatchObject({
    status: "failed",
    lastError: "JobTimeoutError: job timed out after 50 ms",
  });

  await running.stack.qstash.advance(1_000);
  expect(attempts).toEqual([
    { retried: 0, aborted: true },
    { retried: 1, aborted: false },
  ]);
  expect(await getRun(running.app.services.redis, messageId)).toMatchObject({
    status: "succeeded",
    attempts: 2,
    result: { reportId: "r-1" },
  });

  const events = (await fetch(`${running.stack.qstash.url}/v2/events?messageId=${messageId}`, {
    headers: { authorization: `Bearer ${running.stack.env.QSTASH_TOKEN}` },
  }).then((response) => response.json())) as { events: Array<{ state: string; responseStatus?: number }> };
  expect(events.events.some((event) => event.responseStatus === 504)).toBe(true);
  expect(events.events.map((event) => event.state)).toContain("DELIVERED");
});
