import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { handleAdminRequest } from "@/lib/admin/api";
import { ADMIN_COOKIE, createAdminSession, redisAdminSessions } from "@/lib/admin/auth";
import { jobs as registry } from "@/lib/jobs/registry";
import { durableQueue } from "@/lib/jobs/outbox";
import { adminApiDepsOf } from "@/lib/services";
import { testJob } from "@/lib/jobs/test";
import { OUTBOX_SWEEP_GRACE_MS, stageOutboxEntries } from "@/lib/job-runtime";
import { getRun } from "@/lib/job-runtime";
import { serveFetch, type RunningServer } from "../../../harness/http";
import { startTestApp, type TestApp } from "../../../harness/app";
import { startTestStack, type TestStack } from "../../../harness/stack";

// The admin API over real HTTP, backed by the local QStash and Redis.
const TOKEN = "integration-admin-token-0123";
let stack: TestStack;
let app: TestApp;
let admin: RunningServer;

beforeAll(async () => {
  stack = await startTestStack();
  app = await startTestApp(stack, { registry, env: { ADMIN_TOKEN: TOKEN } });
  admin = await serveFetch((request) => handleAdminRequest(request, adminApiDepsOf(app.services)));
});
afterAll(async () => {
  await admin?.close();
  await app?.close();
  await stack?.close();
});
beforeEach(() => stack.qstash.reset());

async function call(method: string, path: string, options: { body?: unknown; headers?: Record<string, string> } = {}) {
  const response = await fetch(`${admin.url}/api/admin${path}`, {
    method,
    headers: {
      authorization: `Bearer ${TOKEN}`,
      ...(options.body !== undefined && { "content-type": "application/json" }),
      ...options.headers,
    },
    ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
  });
  return {
    status: response.status, // biome-ignore lint/suspicious/noExplicitAny: assertions read arbitrary JSON paths.
    body: (await response.json()) as Record<string, any>,
  };
}

async function failTestJob(message: string) {
  const { messageId } = await app.services.queue.enqueue(testJob, { message, failWith: "non-retryable" });
  await stack.qstash.idle();
  return messageId;
}

describe("admin API on the local stack", () => {
  test("refuses without the token and never echoes what was sent", async () => {
    const missing = await call("GET", "/dlq", { headers: { authorization: "" } });
    expect(missing).toEqual({ status: 401, body: { error: "unauthorized" } });
    const wrong = await call("GET", "/dlq", { headers: { authorization: "Bearer guess-guess-guess-guess" } });
    expect(wrong.status).toBe(401);
    expect(JSON.stringify(wrong.body)).not.toContain("guess");
  });

  test("the failed test job is listed and shown decoded; retrying it delivers it again", async () => {
    const messageId = await failTestJob("via the admin api");
    const list = await call("GET", "/dlq?job=test&status=489");
    expect(list.status).toBe(200);
    expect(list.body.messages).toEqual([
      expect.objectContaining({
        messageId,
        jobName: "test",
        reason: "test job asked to fail: via the admin api",
        payload: { message: "via the admin api", failWith: "non-retryable" },
      }),
    ]);
    const dlqId = list.body.messages[0].dlqId as string;
    const shown = await call("GET", `/dlq/${dlqId}`);
    expect(shown.body.message).toMatchObject({
      responseStatus: 489,
      responseBody: { error: "test job asked to fail: via the admin api" },
    });

    const runs = await call("GET", "/runs?limit=5");
    expect(runs.body.runs[0]).toMatchObject({ messageId, status: "dead", dlqId });

    const retried = await call("POST", `/dlq/${dlqId}/retry`);
    expect(retried.status).toBe(200);
    const replayId = retried.body.retried[0].messageId as string;
    expect(replayId).not.toBe(messageId);
    await stack.qstash.idle();
    expect(await getRun(app.services.redis, replayId)).toMatchObject({ job: "test", attempts: 1, status: "dead" });
    expect((await call("GET", `/runs/${replayId}`)).body.run).toMatchObject({ messageId: replayId, status: "dead" });
  });

  test("bulk retry and delete by filter, with the session cookie from the same origin", async () => {
    await failTestJob("one");
    await failTestJob("two");
    const { value } = await createAdminSession(TOKEN, redisAdminSessions(app.services.redis), app.services.clock.now());
    const cookie = { authorization: "", cookie: `${ADMIN_COOKIE}=${value}`, origin: admin.url };
    const deleted = await call("POST", "/dlq/delete", { body: { filter: { job: "test", status: 489 } }, headers: cookie });
    expect(deleted.body).toEqual({ matched: 2, deleted: 2, failed: [] });
    expect((await call("GET", "/dlq")).body.messages).toEqual([]);
  });

  test("lists schedules and pauses and resumes one through the official client", async () => {
    const { scheduleId } = await app.services.qstash.schedules.create({
      destination: `${app.url}/api/jobs/test`,
      cron: "0 3 * * *",
      body: JSON.stringify({ message: "nightly" }),
    });
    const listed = await call("GET", "/schedules");
    expect(listed.body.schedules).toEqual([
      expect.objectContaining({
        scheduleId,
        jobName: "test",
        cron: "0 3 * * *",
        isPaused: false,
        payload: { message: "nightly" },
      }),
    ]);
    expect((await call("POST", `/schedules/${scheduleId}/pause`)).status).toBe(200);
    expect((await app.services.qstash.schedules.get(scheduleId)).isPaused).toBe(true);
    await call("POST", `/schedules/${scheduleId}/resume`);
    expect((await app.services.qstash.schedules.get(scheduleId)).isPaused).toBe(false);
    await app.services.qstash.schedules.delete(scheduleId);
  });

  test("shows the outbox's depth and sweeps it on demand; a stranger gets neither", async () => {
    const queue = durableQueue(app.services);
    // Written a while ago (QStash was down then), so it is past the sweep's grace period.
    const fresh = queue.prepare(testJob, { message: "from the outbox" });
    const entry = { ...fresh, createdAt: fresh.createdAt - OUTBOX_SWEEP_GRACE_MS };
    await stageOutboxEntries(app.services.redis.multi(), [entry]).exec();
    expect((await call("GET", "/outbox")).body).toMatchObject({ outbox: { pending: 1, stale: 0 } });
    expect((await call("POST", "/outbox/sweep", { headers: { authorization: "Bearer wrong-token-0000000000" } })).status).toBe(
      401,
    );
    expect((await call("GET", "/outbox", { headers: { authorization: "" } })).status).toBe(401);
    expect((await call("POST", "/outbox/sweep")).body).toMatchObject({
      ran: true,
      published: 1,
      pending: 0,
      outbox: { pending: 0 },
    });
  });
});
