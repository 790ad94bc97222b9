import { http, HttpResponse } from "msw";
import { afterEach, describe, expect, expectTypeOf, test } from "vitest";
import { type JobInput, getRun } from "@/lib/job-runtime";
import { decideRedrive, dlqRedrive, isTransientFailure, listRedriveReports, redriveKey } from "@/lib/jobs/dlq-redrive";
import { jobs } from "@/lib/jobs/registry";
import { deliver, fakeServices } from "../../helpers/fake-services";
import { testEnv } from "../../helpers/env";
import { setupMemoryRedis } from "../../helpers/msw";

const env = testEnv();

interface FakeDlqMessage {
  dlqId: string;
  messageId: string;
  url: string;
  responseStatus?: number;
  createdAt: number;
  body: string;
}
let dlq: FakeDlqMessage[] = [];
const retryCalls: string[][] = [];
let retryCounter = 0;
let retryFails = false;
setupMemoryRedis(
  env.UPSTASH_REDIS_REST_URL,
  http.get(`${env.QSTASH_URL}/v2/dlq`, () => HttpResponse.json({ messages: dlq })),
  http.post(`${env.QSTASH_URL}/v2/dlq/retry`, ({ request }) => {
    const ids = new URL(request.url).searchParams.getAll("dlqIds");
    retryCalls.push(ids);
    if (retryFails) return HttpResponse.json({ error: "down" }, { status: 500 });
    dlq = dlq.filter((message) => !ids.includes(message.dlqId));
    return HttpResponse.json({ responses: ids.map(() => ({ messageId: `msg_new_${++retryCounter}` })) });
  }),
);
afterEach(() => {
  dlq = [];
  retryCalls.length = 0;
  retryCounter = 0;
  retryFails = false;
});

// The registered job: its handler loads on first use, as in the route.
const registry = { "dlq-redrive": jobs["dlq-redrive"] };
const message = (id: string, responseStatus: number | undefined, job = "welcome-email"): FakeDlqMessage => ({
  dlqId: `dlq_${id}`,
  messageId: `msg_${id}`,
  url: `https://app.test/api/jobs/${job}`,
  ...(responseStatus !== undefined && { responseStatus }),
  createdAt: 1,
  body: "{}",
});

describe("re-drive selection (pure)", () => {
  test.each([
    [500, true],
    [502, true],
    [503, true],
    [504, true],
    [408, true],
    [429, true],
    [409, true],
    [null, true],
    [501, false],
    [400, false],
    [401, false],
    [404, false],
    [422, false],
    [489, false],
  ] as const)("status %s transient: %s", (status, transient) => {
    expect(isTransientFailure(status)).toBe(transient);
  });

  test("decisions: retry, permanent, client error, already re-driven, another app's message", () => {
    const app = "https://app.test";
    const entry = { messageId: "m1", url: `${app}/api/jobs/test`, responseStatus: 503 };
    expect(decideRedrive(entry, app, new Set())).toBe("retry");
    expect(decideRedrive({ ...entry, responseStatus: null }, app, new Set())).toBe("retry");
    expect(decideRedrive({ ...entry, responseStatus: 489 }, app, new Set())).toBe("permanent");
    expect(decideRedrive({ ...entry, responseStatus: 404 }, app, new Set())).toBe("client-error");
    expect(decideRedrive(entry, app, new Set(["m1"]))).toBe("already-redriven");
    expect(decideRedrive({ ...entry, url: "https://app.test.evil/api/jobs/test" }, app, new Set())).toBe("other-app");
  });
});

describe("dlq-redrive job", () => {
  test("retries transient failures once, leaves 489 and 4xx, records a report and the new runs", async () => {
    const { services } = fakeServices({ env });
    dlq = [message("a", 503), message("b", 489), message("c", 400), message("d", undefined), message("e", 429)];

    const answer = await deliver(services, dlqRedrive, {}, { registry });
    expect(answer.status).toBe(200);
    expect(answer.body.result).toEqual({
      scanned: 5,
      retried: 3,
      failed: 0,
      skipped: { permanent: 1, "client-error": 1 },
      dryRun: false,
    });
    expect(retryCalls).toEqual([["dlq_a", "dlq_d", "dlq_e"]]);
    expect(dlq.map((entry) => entry.dlqId)).toEqual(["dlq_b", "dlq_c"]);

    const [report] = await listRedriveReports(services.redis);
    expect(report!.retried).toEqual([
      { dlqId: "dlq_a", messageId: "msg_a", jobName: "welcome-email", responseStatus: 503, newMessageId: "msg_new_1" },
      { dlqId: "dlq_d", messageId: "msg_d", jobName: "welcome-email", responseStatus: null, newMessageId: "msg_new_2" },
      { dlqId: "dlq_e", messageId: "msg_e", jobName: "welcome-email", responseStatus: 429, newMessageId: "msg_new_3" },
    ]);
    expect(await getRun(services.redis, "msg_new_1")).toMatchObject({ status: "queued", job: "welcome-email" });
  });

  test("at most once: neither the same entry nor the message born of the re-drive is retried again", async () => {
    const { services } = fakeServices({ env });
    dlq = [message("a", 503)];
    await deliver(services, dlqRedrive, {}, { registry });
    // The re-driven message failed again and is back in the DLQ under its new id.
    dlq = [{ ...message("a", 503), dlqId: "dlq_a2", messageId: "msg_new_1" }];
    const second = await deliver(services, dlqRedrive, {}, { registry });
    expect(second.body.result).toMatchObject({ retried: 0, skipped: { "already-redriven": 1 } });
    // And if QStash still lists the original entry, it is skipped too.
    dlq = [message("a", 503)];
    expect((await deliver(services, dlqRedrive, {}, { registry })).body.result).toMatchObject({ retried: 0 });
    expect(retryCalls).toHaveLength(1);
    expect(await services.redis.ttl(redriveKey("msg_a"))).toBeGreaterThan(0);
  });

  test("a failed retry call frees the claim so the next run tries again", async () => {
    const { services } = fakeServices({ env });
    dlq = [message("a", 502)];
    retryFails = true;
    expect((await deliver(services, dlqRedrive, {}, { registry })).body.result).toMatchObject({ retried: 0, failed: 1 });
    retryFails = false;
    expect((await deliver(services, dlqRedrive, {}, { registry })).body.result).toMatchObject({ retried: 1, failed: 0 });
  });

  test("dry run decides and reports without retrying or remembering", async () => {
    const { services } = fakeServices({ env });
    dlq = [message("a", 503), message("b", 489)];
    const answer = await deliver(services, dlqRedrive, { dryRun: true }, { registry });
    expect(answer.body.result).toMatchObject({ retried: 1, dryRun: true });
    expect(retryCalls).toEqual([]);
    expect(await services.redis.exists(redriveKey("msg_a"))).toBe(0);
    expect((await listRedriveReports(services.redis))[0]).toMatchObject({ dryRun: true });
  });

  test("payload is validated; types stop wrong payloads", async () => {
    const { services } = fakeServices({ env });
    expect((await deliver(services, dlqRedrive, { maxMessages: 0 }, { registry })).status).toBe(489);
    expectTypeOf<JobInput<typeof dlqRedrive>>().toEqualTypeOf<{ maxMessages?: number; dryRun?: boolean }>();
    // @ts-expect-error dryRun is a boolean
    void (() => services.queue.enqueue(dlqRedrive, { dryRun: "yes" }));
  });
});
