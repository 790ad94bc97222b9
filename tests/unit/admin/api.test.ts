import { Client } from "@upstash/qstash";
import { beforeEach, describe, expect, test, vi } from "vitest";
import { handleAdminRequest, type AdminApiDeps } from "@/lib/admin/api";
import { ADMIN_COOKIE, createAdminSession, redisAdminSessions } from "@/lib/admin/auth";
import { createOutbox, fixedClock, getRun, markDead, recordQueued, createRedis } from "@/lib/job-runtime";
import { failedTestJob, fakeQStash } from "../dlq/fake-qstash";
import { setupMemoryRedis } from "../../helpers/msw";

const QSTASH = "http://qstash.test";
const REDIS = "http://redis.test";
const TOKEN = "admin-token-0123456789";
const fake = fakeQStash(QSTASH);
setupMemoryRedis(REDIS, ...fake.handlers);

const clock = fixedClock(Date.UTC(2026, 0, 15, 9));
const redis = createRedis({ UPSTASH_REDIS_REST_URL: REDIS, UPSTASH_REDIS_REST_TOKEN: "t" });
const qstash = new Client({ baseUrl: QSTASH, token: "qstash-token", enableTelemetry: false, retry: false });
// Publishing is the integration test's business; here the outbox only has to answer.
const outbox = createOutbox({ redis, now: () => clock.now(), publish: async () => ({ messageId: "msg_outbox" }) });
const deps: AdminApiDeps = { adminToken: TOKEN, qstash, redis, clock, outbox };

beforeEach(async () => {
  fake.state.dlq = [
    failedTestJob(1),
    failedTestJob(2),
    failedTestJob(3, { url: "https://app.test/api/jobs/welcome-email", labels: ["welcome-email"] }),
  ];
  fake.state.schedules = [
    {
      scheduleId: "scd_1",
      cron: "0 3 * * *",
      destination: "https://app.test/api/jobs/test",
      createdAt: 1,
      method: "POST",
      retries: 3,
      isPaused: false,
      body: '{"message":"nightly"}',
    },
  ];
  fake.state.requests = [];
  fake.state.retried = [];
  fake.state.pending = [];
});

function call(
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string>; deps?: AdminApiDeps } = {},
) {
  const request = new Request(`https://app.test/api/admin${path}`, {
    method,
    headers: {
      authorization: `Bearer ${TOKEN}`,
      ...(options.body !== undefined && { "content-type": "application/json" }),
      ...options.headers,
    },
    ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
  });
  return handleAdminRequest(request, options.deps ?? deps).then(async (response) => ({
    status: response.status,
    // biome-ignore lint/suspicious/noExplicitAny: assertions read arbitrary JSON paths.
    body: (await response.json()) as Record<string, any>,
    headers: response.headers,
  }));
}

describe("access", () => {
  test("404 admin disabled without ADMIN_TOKEN; 401 without or with a wrong token; nothing reaches QStash", async () => {
    expect(await call("GET", "/dlq", { deps: { ...deps, adminToken: undefined } })).toMatchObject({
      status: 404,
      body: { error: expect.stringContaining("admin disabled") },
    });
    expect(await call("GET", "/dlq", { headers: { authorization: "" } })).toMatchObject({
      status: 401,
      body: { error: "unauthorized" },
    });
    const wrong = await call("GET", "/dlq", { headers: { authorization: "Bearer wrong-token-0123456789" } });
    expect(wrong).toMatchObject({ status: 401 });
    expect(JSON.stringify(wrong.body)).not.toContain("wrong-token");
    expect(fake.state.requests).toEqual([]);
  });

  test("the session cookie works; a cross-origin change with it is refused", async () => {
    const { value } = await createAdminSession(TOKEN, redisAdminSessions(redis), clock.now());
    const cookie = { authorization: "", cookie: `${ADMIN_COOKIE}=${value}` };
    expect((await call("GET", "/dlq", { headers: cookie })).status).toBe(200);
    const crossSite = await call("POST", "/dlq/dlq_1/retry", {
      headers: { ...cookie, origin: "https://evil.test", host: "app.test" },
    });
    expect(crossSite.status).toBe(403);
    expect(fake.state.retried).toEqual([]);
    const sameSite = await call("POST", "/dlq/dlq_1/retry", {
      headers: { ...cookie, origin: "https://app.test", host: "app.test" },
    });
    expect(sameSite.status).toBe(200);
  });

  test("answers are never cached", async () => {
    expect((await call("GET", "/dlq")).headers.get("cache-control")).toBe("no-store");
  });
});

describe("DLQ", () => {
  test("lists decoded entries with filters", async () => {
    const all = await call("GET", "/dlq");
    expect(all.body.messages).toHaveLength(3);
    expect(all.body.messages[0]).toMatchObject({
      dlqId: "dlq_1",
      jobName: "test",
      responseStatus: 489,
      reason: "test job asked to fail: boom 1",
      payload: { message: "boom 1" },
    });
    const filtered = await call("GET", "/dlq?job=welcome-email&status=489&from=2026-01-01T00:00:00Z");
    expect(filtered.body.messages.map((entry: { dlqId: string }) => entry.dlqId)).toEqual(["dlq_3"]);
    expect((await call("GET", "/dlq?status=abc")).status).toBe(400);
    expect((await call("GET", "/dlq?count=1000")).status).toBe(400);
  });

  test("shows one with headers and the decoded answer; 404 when gone", async () => {
    const one = await call("GET", "/dlq/dlq_2");
    expect(one.body.message).toMatchObject({
      dlqId: "dlq_2",
      headers: { "Content-Type": ["application/json"] },
      responseBody: { error: "test job asked to fail: boom 2" },
    });
    expect((await call("GET", "/dlq/dlq_404")).status).toBe(404);
  });

  test("retrying one republishes it and records the new message as queued", async () => {
    const retried = await call("POST", "/dlq/dlq_1/retry");
    expect(retried.status).toBe(200);
    const [first] = retried.body.retried;
    expect(first).toMatchObject({ dlqId: "dlq_1", jobName: "test", messageId: expect.stringMatching(/^msg_/) });
    expect(await getRun(redis, first.messageId)).toMatchObject({ job: "test", status: "queued" });
    expect(fake.state.dlq.map((message) => message.dlqId)).toEqual(["dlq_2", "dlq_3"]);
    expect((await call("POST", "/dlq/dlq_1/retry")).status).toBe(404);
  });

  test("bulk retry by filter touches only the matching job", async () => {
    const outcome = await call("POST", "/dlq/retry", { body: { filter: { job: "test" } } });
    expect(outcome.body).toMatchObject({ matched: 2, failed: [] });
    expect(fake.state.retried).toEqual(["dlq_1", "dlq_2"]);
  });

  test("an empty filter is refused; everything must be asked for by name", async () => {
    expect((await call("POST", "/dlq/delete", { body: { filter: {} } })).status).toBe(400);
    expect((await call("POST", "/dlq/delete", { body: {} })).status).toBe(400);
    expect(fake.state.dlq).toHaveLength(3);
    expect((await call("POST", "/dlq/delete", { body: { all: true } })).body).toMatchObject({ matched: 3, deleted: 3 });
    expect(fake.state.dlq).toEqual([]);
  });

  test("deletes one and many by id", async () => {
    expect((await call("DELETE", "/dlq/dlq_2")).body).toEqual({ deleted: 1, failed: [] });
    expect((await call("DELETE", "/dlq/dlq_2")).status).toBe(404);
    expect((await call("POST", "/dlq/delete", { body: { dlqIds: ["dlq_1", "dlq_3"] } })).body).toMatchObject({
      matched: 2,
      deleted: 2,
    });
  });
});

describe("runs and schedules", () => {
  test("lists recent runs and shows one", async () => {
    await recordQueued(redis, { messageId: "msg_a", jobName: "test", deduplicated: false }, clock.now());
    await markDead(redis, { messageId: "msg_b", jobName: "test", error: "489: boom", dlqId: "dlq_b" }, clock.now() + 1);
    const runs = await call("GET", "/runs?limit=10");
    expect(runs.body.runs.map((run: { messageId: string; status: string }) => [run.messageId, run.status])).toEqual([
      ["msg_b", "dead"],
      ["msg_a", "queued"],
    ]);
    expect((await call("GET", "/runs/msg_b")).body.run).toMatchObject({ dlqId: "dlq_b", lastError: "489: boom" });
    expect((await call("GET", "/runs/msg_none")).status).toBe(404);
  });

  test("a message no delivery has reached yet is queued as QStash describes it", async () => {
    const createdAt = clock.now();
    fake.state.pending = [{ messageId: "msg_waiting", url: "https://app.test/api/jobs/welcome-email", createdAt }];
    expect((await call("GET", "/runs/msg_waiting")).body.run).toEqual({
      messageId: "msg_waiting",
      job: "welcome-email",
      status: "queued",
      attempts: 0,
      queuedAt: createdAt,
    });
    // A run record, once a delivery claimed the message, wins over what QStash holds.
    await markDead(redis, { messageId: "msg_waiting", jobName: "welcome-email", error: "489: x", dlqId: "dlq_w" }, createdAt + 1);
    expect((await call("GET", "/runs/msg_waiting")).body.run).toMatchObject({ status: "dead" });
    // QStash down: an error that says so, not a 404 that would read as "never published".
    fake.state.messagesStatus = 500;
    try {
      expect((await call("GET", "/runs/msg_other")).status).toBe(502);
    } finally {
      fake.state.messagesStatus = null;
    }
  });

  test("lists schedules and pauses and resumes one", async () => {
    expect((await call("GET", "/schedules")).body.schedules).toEqual([
      expect.objectContaining({ scheduleId: "scd_1", jobName: "test", isPaused: false, payload: { message: "nightly" } }),
    ]);
    expect((await call("POST", "/schedules/scd_1/pause")).body).toEqual({ ok: true, scheduleId: "scd_1", isPaused: true });
    expect(fake.state.schedules[0]!.isPaused).toBe(true);
    await call("POST", "/schedules/scd_1/resume");
    expect(fake.state.schedules[0]!.isPaused).toBe(false);
    expect((await call("POST", "/schedules/scd_x/pause")).status).toBe(404);
  });

  test("unknown paths are 404 and unexpected failures are not leaked", async () => {
    expect((await call("GET", "/nope")).status).toBe(404);
    const broken = {
      ...deps,
      redis: { ...redis, zrange: () => Promise.reject(new Error(`secret ${TOKEN}`)) } as unknown as AdminApiDeps["redis"],
    };
    const spy = vi.spyOn(console, "error").mockImplementation(() => {});
    const answer = await call("GET", "/runs", { deps: broken });
    spy.mockRestore();
    expect(answer).toMatchObject({ status: 500, body: { error: "admin request failed" } });
  });
});
