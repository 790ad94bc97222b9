import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { getRun, listRecentRuns } from "@/lib/job-runtime";
import { runSchedulesSync } from "@/scripts/lib/schedules-command";
import { captureIo } from "../../unit/cli/capture-io";
import { testJob } from "@/lib/jobs/test";
import { startProtectionProxy, type ProtectionProxy } from "../../helpers/protection-proxy";
import { startTestApp, type TestApp } from "../../../harness/app";
import { startTestStack, type TestStack } from "../../../harness/stack";

// Deployment Protection in front of the app, as on a Vercel preview: QStash's deliveries pass only
// when the app published them with VERCEL_AUTOMATION_BYPASS_SECRET set.
const SECRET = "vercel-automation-bypass-0123456789";
let stack: TestStack;
let proxy: ProtectionProxy;
let withSecret: TestApp;
let withoutSecret: TestApp;

beforeAll(async () => {
  stack = await startTestStack();
  proxy = await startProtectionProxy({ secret: SECRET });
  withSecret = await startTestApp(stack, { env: { APP_URL: proxy.url, VERCEL_AUTOMATION_BYPASS_SECRET: SECRET } });
  withoutSecret = await startTestApp(stack, { env: { APP_URL: proxy.url } });
  proxy.setTarget(withSecret.url);
});
afterAll(async () => {
  await withoutSecret?.close();
  await withSecret?.close();
  await proxy?.close();
  await stack?.close();
});

const run = (messageId: string) => getRun(withSecret.services.redis, messageId);

describe("protection bypass through the protection proxy", () => {
  test("enqueue and enqueueMany pass with the secret set", async () => {
    const single = await withSecret.services.queue.enqueue(testJob, { message: "one" });
    const batch = await withSecret.services.queue.enqueueMany([
      { job: testJob, payload: { message: "two" } },
      { job: testJob, payload: { message: "three" } },
    ]);
    await stack.qstash.idle();
    for (const { messageId } of [single, ...batch]) expect(await run(messageId)).toMatchObject({ status: "succeeded" });
    expect(proxy.rejected).toEqual([]);
  });

  test("the failure callback gets through too: a dead job is recorded as dead", async () => {
    const { messageId } = await withSecret.services.queue.enqueue(testJob, { message: "fail", failWith: "non-retryable" });
    await stack.qstash.idle();
    expect(await run(messageId)).toMatchObject({ status: "dead" });
    expect(proxy.rejected).toEqual([]);
  });

  test("without the secret the deliveries meet the login page and nothing runs", async () => {
    const { messageId } = await withoutSecret.services.queue.enqueue(testJob, { message: "blocked" });
    try {
      await stack.qstash.idle();
      const [attempt] = (await withSecret.qstash.logs({ filter: { messageId } })).logs.filter((event) => event.state === "ERROR");
      expect(attempt).toMatchObject({ responseStatus: 401 });
      // The handler never ran: no attempt was recorded, whatever the queued record says.
      expect((await run(messageId))?.status ?? "not recorded").not.toMatch(/running|succeeded|failed|dead/);
      expect(proxy.rejected).toContain("/api/jobs/test");
    } finally {
      // Its retries would keep knocking on the proxy during the next test.
      await withSecret.qstash.messages.cancel(messageId);
    }
  });

  test("schedules synced with the secret fire through the protection", async () => {
    const io = captureIo({
      env: {
        QSTASH_URL: stack.env.QSTASH_URL,
        QSTASH_TOKEN: stack.env.QSTASH_TOKEN,
        APP_URL: proxy.url,
        VERCEL_AUTOMATION_BYPASS_SECRET: SECRET,
      },
    });
    expect(await runSchedulesSync([], io.io)).toBe(0);
    const rejectedBefore = proxy.rejected.length;
    await stack.qstash.advance(10 * 60 * 1000);
    await stack.qstash.idle();
    expect((await listRecentRuns(withSecret.services.redis)).find((entry) => entry.job === "dlq-redrive")).toMatchObject({
      status: "succeeded",
    });
    expect(proxy.rejected.length).toBe(rejectedBefore);
  });
});
