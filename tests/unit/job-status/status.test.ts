import { describe, expect, test } from "vitest";
import { createIdempotencyGuard, recordQueued } from "@/lib/job-runtime";
import { secretsEqual } from "@/lib/crypto";
import { requireAdmin } from "@/lib/job-status/require-admin";
import { handleJobStatusRequest } from "@/lib/job-status/status";
import { testEnv } from "../../helpers/env";
import { fakeServices } from "../../helpers/fake-services";
import { setupMemoryRedis } from "../../helpers/msw";
import { fakeQStash } from "../dlq/fake-qstash";

const TOKEN = "admin-token-0123456789";
const env = testEnv({ ADMIN_TOKEN: TOKEN });
const qstash = fakeQStash(env.QSTASH_URL);
const { redis } = setupMemoryRedis(env.UPSTASH_REDIS_REST_URL, ...qstash.handlers);

const get = (messageId: string, authorization?: string) =>
  new Request(`https://app.test/api/job-status/${messageId}`, {
    headers: authorization === undefined ? {} : { authorization },
  });

describe("secretsEqual", () => {
  test("equal, different and different-length strings", async () => {
    expect(await secretsEqual("abc", "abc")).toBe(true);
    expect(await secretsEqual("abc", "abd")).toBe(false);
    expect(await secretsEqual("abc", "abcd")).toBe(false);
    expect(await secretsEqual("", "")).toBe(true);
  });
});

describe("requireAdmin", () => {
  test.each([
    ["no header", undefined],
    ["wrong token", "Bearer admin-token-wrong-000000"],
    ["token prefix", `Bearer ${TOKEN.slice(0, -1)}`],
    ["basic scheme", `Basic ${TOKEN}`],
    ["empty bearer", "Bearer "],
  ])("401 for %s, without echoing what was sent", async (_name, header) => {
    const denied = await requireAdmin(get("msg_1", header), TOKEN, 0);
    expect(denied?.status).toBe(401);
    expect(denied?.headers.get("www-authenticate")).toMatch(/^Bearer/);
    const text = await denied!.text();
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain("wrong");
  });

  test("the right token passes, scheme case-insensitively", async () => {
    expect(await requireAdmin(get("msg_1", `Bearer ${TOKEN}`), TOKEN, 0)).toBeNull();
    expect(await requireAdmin(get("msg_1", `bearer ${TOKEN}`), TOKEN, 0)).toBeNull();
  });

  test("404 while no ADMIN_TOKEN is configured", async () => {
    expect((await requireAdmin(get("msg_1", `Bearer ${TOKEN}`), undefined, 0))?.status).toBe(404);
  });
});

describe("GET /api/job-status/[messageId]", () => {
  const { services, clock } = fakeServices({ env });

  test("401 without the token, and no Redis command runs", async () => {
    const answer = await handleJobStatusRequest(get("msg_1"), "msg_1", services);
    expect(answer.status).toBe(401);
    expect(redis.commands).toBe(0);
  });

  test("queued, as QStash holds it, before any delivery wrote a record; 502 when QStash does not answer", async () => {
    const createdAt = clock.now();
    qstash.state.pending = [
      { messageId: "msg_wait", url: "https://app.test/api/edge/jobs/edge-ping", createdAt, notBefore: createdAt + 30_000 },
      { messageId: "msg_cb", url: "https://app.test/api/qstash/failure", createdAt },
    ];
    try {
      const answer = await handleJobStatusRequest(get("msg_wait", `Bearer ${TOKEN}`), "msg_wait", services);
      expect(answer.status).toBe(200);
      expect(await answer.json()).toEqual({
        messageId: "msg_wait",
        job: "edge-ping",
        status: "queued",
        attempts: 0,
        timings: { queuedAt: new Date(createdAt).toISOString(), notBefore: new Date(createdAt + 30_000).toISOString() },
      });
      // Not a job route: no job run to show.
      expect((await handleJobStatusRequest(get("msg_cb", `Bearer ${TOKEN}`), "msg_cb", services)).status).toBe(404);
      qstash.state.messagesStatus = 503;
      const down = await handleJobStatusRequest(get("msg_wait", `Bearer ${TOKEN}`), "msg_wait", services);
      expect(down.status).toBe(502);
      expect(await down.json()).toMatchObject({ messageId: "msg_wait" });
    } finally {
      qstash.state.pending = [];
      qstash.state.messagesStatus = null;
    }
  });

  test("404 for an unknown message, 400 for a malformed id", async () => {
    expect((await handleJobStatusRequest(get("msg_x", `Bearer ${TOKEN}`), "msg_x", services)).status).toBe(404);
    expect((await handleJobStatusRequest(get("a b", `Bearer ${TOKEN}`), "a b", services)).status).toBe(400);
  });

  test("status, attempts, timings and the last error of a failed run", async () => {
    const queuedAt = clock.now();
    await recordQueued(services.redis, { messageId: "msg_7", jobName: "welcome-email", deduplicated: false }, queuedAt);
    const guard = createIdempotencyGuard(services.redis, () => queuedAt + 1500);
    const claim = await guard.claim({
      jobName: "welcome-email",
      idempotencyKey: "welcome-email/u1",
      messageId: "msg_7",
      leaseMs: 60_000,
      deadlineMs: queuedAt + 61_000,
      nowMs: queuedAt + 1000,
      leaseId: "lease",
    });
    if (claim.state !== "claimed") throw new Error("expected a claim");
    await claim.lease.release("RetryableError: Resend 503");

    const answer = await handleJobStatusRequest(get("msg_7", `Bearer ${TOKEN}`), "msg_7", services);
    expect(answer.status).toBe(200);
    expect(answer.headers.get("cache-control")).toBe("no-store");
    expect(await answer.json()).toEqual({
      messageId: "msg_7",
      job: "welcome-email",
      status: "failed",
      // Counted by the claim itself, not taken from the Upstash-Retried header.
      attempts: 1,
      timings: {
        queuedAt: new Date(queuedAt).toISOString(),
        startedAt: new Date(queuedAt + 1000).toISOString(),
        finishedAt: new Date(queuedAt + 1500).toISOString(),
        durationMs: 500,
      },
      lastError: "RetryableError: Resend 503",
    });
  });
});
