import { Client } from "@upstash/qstash";
import { afterEach, describe, expect, expectTypeOf, test } from "vitest";
import { EMAIL_PACE, emailPaceLimits } from "@/lib/email/pace";
import { notification } from "@/lib/jobs/notification";
import { z } from "zod";
import { InvalidPayloadError, BATCH_LIMIT, createJobQueue } from "@/lib/job-runtime";
import { defineJob } from "@/lib/jobs/context";
import { testJob } from "@/lib/jobs/test";
import { welcomeEmail } from "@/lib/jobs/welcome-email";
import { qstashHandlers } from "../../msw/qstash";
import { setupMsw } from "../../helpers/msw";

const QSTASH = "http://qstash.test";
const mock = qstashHandlers(QSTASH);
setupMsw(...mock.handlers);
afterEach(() => {
  mock.published.length = 0;
});

function queue() {
  const client = new Client({ baseUrl: QSTASH, token: "test-token", enableTelemetry: false });
  return createJobQueue({ client, appUrl: "https://app.test" });
}

describe("enqueue", () => {
  test("publishes the job to its route with the job's delivery settings", async () => {
    const result = await queue().enqueue(welcomeEmail, { userId: "u1", email: "ada@example.com", name: "Ada" });

    expect(result).toEqual({ messageId: "msg_1", deduplicated: false });
    expect(mock.published).toHaveLength(1);
    const [request] = mock.published;
    expect(request!.method).toBe("POST");
    expect(request!.url).toBe(`${QSTASH}/v2/publish/https://app.test/api/jobs/welcome-email`);
    expect(request!.headers).toMatchObject({
      authorization: "Bearer test-token",
      "content-type": "application/json",
      "upstash-method": "POST",
      "upstash-retries": "3",
      "upstash-retry-delay": "pow(2, retried) * 1000",
      // The email pace's defaults (Resend's own limit) when the queue configures none.
      "upstash-flow-control-key": "resend",
      "upstash-flow-control-value": "parallelism=2, rate=2, period=1s",
      "upstash-failure-callback": "https://app.test/api/qstash/failure",
      "upstash-label": "welcome-email",
    });
    expect(JSON.parse(request!.body)).toEqual({ userId: "u1", email: "ada@example.com", name: "Ada" });
  });

  test("passes delay, notBefore, deduplication id and extra labels", async () => {
    await queue().enqueue(testJob, { message: "hi" }, { delay: 30, deduplicationId: "d-1", label: "smoke" });
    await queue().enqueue(testJob, { message: "later" }, { notBefore: 1_900_000_000 });

    expect(mock.published[0]!.headers).toMatchObject({
      "upstash-delay": "30s",
      "upstash-deduplication-id": "d-1",
      "upstash-label": "test,smoke",
    });
    expect(mock.published[1]!.headers["upstash-not-before"]).toBe("1900000000");
  });

  test("sends timeout and flow control, deriving the key from the payload", async () => {
    const report = defineJob({
      name: "report",
      schema: z.object({ orgId: z.string() }),
      retries: 2,
      timeout: 120,
      flowControl: { key: (payload) => `report:${payload.orgId}`, parallelism: 1 },
      handler: async () => undefined,
    });
    await queue().enqueue(report, { orgId: "org_9" });

    expect(mock.published[0]!.headers).toMatchObject({
      "upstash-timeout": "120s",
      "upstash-flow-control-key": "report:org_9",
      "upstash-flow-control-value": "parallelism=1",
    });
  });

  test("jobs sharing a pace publish under its key, with the limits the queue is configured with", async () => {
    const client = new Client({ baseUrl: QSTASH, token: "test-token", enableTelemetry: false });
    const paced = createJobQueue({ client, appUrl: "https://app.test", paces: { [EMAIL_PACE.key]: emailPaceLimits(10) } });
    await paced.enqueue(welcomeEmail, { userId: "u1", email: "ada@example.com", name: "Ada" });
    await paced.enqueueMany([
      {
        job: notification,
        payload: { notificationId: "n1", userId: "u1", email: "ada@example.com", name: "Ada", title: "Hi", body: "Hello" },
      },
    ]);

    expect(mock.published[0]!.headers).toMatchObject({
      "upstash-flow-control-key": "resend",
      "upstash-flow-control-value": "parallelism=10, rate=10, period=1s",
    });
    expect(mock.published[1]!.body).toContain('"upstash-flow-control-key":"resend"');
    expect(mock.published[1]!.body).toContain('"upstash-flow-control-value":"parallelism=10, rate=10, period=1s"');
  });

  test("a job can't have both a pace and its own flow control: a message carries one key", () => {
    expect(() =>
      defineJob({
        name: "both",
        schema: z.object({}),
        retries: 3,
        pace: EMAIL_PACE,
        flowControl: { key: "other", parallelism: 1 },
        handler: async () => undefined,
      }),
    ).toThrow(/either a pace or flowControl/);
  });

  test("a job that opts into the Edge runtime is published to the Edge route", async () => {
    const edgeJob = defineJob({
      name: "edge-ping",
      schema: z.object({ n: z.number() }),
      retries: 0,
      runtime: "edge",
      handler: async () => undefined,
    });
    await queue().enqueue(edgeJob, { n: 1 });
    expect(mock.published[0]!.url).toBe(`${QSTASH}/v2/publish/https://app.test/api/edge/jobs/edge-ping`);
  });

  test("a payload the schema rejects never leaves the process", async () => {
    const error = await queue()
      .enqueue(welcomeEmail, { userId: "u1", email: "not-an-email", name: "" })
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(InvalidPayloadError);
    const invalid = error as InvalidPayloadError;
    expect(invalid.jobName).toBe("welcome-email");
    expect(invalid.issues.map((issue) => issue.path.join("."))).toEqual(["email", "name"]);
    expect(mock.published).toHaveLength(0);
  });

  test("reports QStash's deduplication", async () => {
    const result = await queue().enqueue(testJob, { message: "x" }, { deduplicationId: "seen-before" });
    expect(result).toEqual({ messageId: "msg_original", deduplicated: true });
  });

  test("the payload type comes from the job's schema", () => {
    expectTypeOf(queue().enqueue<typeof welcomeEmail>)
      .parameter(1)
      .toEqualTypeOf<{ userId: string; email: string; name: string }>();
    // @ts-expect-error a producer cannot publish a payload that doesn't type-check
    void (() => queue().enqueue(welcomeEmail, { userId: "u1" }));
  });
});

describe("enqueueMany", () => {
  test(`chunks batches to ${BATCH_LIMIT} and keeps result order`, async () => {
    const items = Array.from({ length: 250 }, (_, index) => ({ job: testJob, payload: { message: `m${index}` } }));
    const results = await queue().enqueueMany(items);

    const batches = mock.published.filter((request) => request.url === `${QSTASH}/v2/batch`);
    expect(batches.map((batch) => (JSON.parse(batch.body) as unknown[]).length)).toEqual([100, 100, 50]);
    expect(results).toHaveLength(250);
    // The mock numbers messages in arrival order, so order is kept iff the numbers are consecutive.
    const numbers = results.map((result) => Number(result.messageId.slice("msg_".length)));
    expect(numbers).toEqual(numbers.map((_, index) => numbers[0]! + index));
    const first = (JSON.parse(batches[0]!.body) as Array<{ destination: string; body: string }>)[0]!;
    expect(first.destination).toBe("https://app.test/api/jobs/test");
    expect(JSON.parse(first.body)).toEqual({ message: "m0" });
  });

  test("validates every item before publishing any", async () => {
    const items = [
      { job: testJob, payload: { message: "ok" } },
      { job: testJob, payload: { message: "" } },
    ];
    await expect(queue().enqueueMany(items)).rejects.toBeInstanceOf(InvalidPayloadError);
    expect(mock.published).toHaveLength(0);
  });
});
