import { setupServer } from "msw/node";
import { afterAll, beforeAll, beforeEach, describe, expect, test, vi } from "vitest";
import { z } from "zod";
import { listEmailLog, recordEmail } from "@/lib/email-log/store";
import { defineJob } from "@/lib/jobs/define-job";
import { registry } from "@/lib/jobs/registry";
import { getRun } from "@/lib/job-runs/store";
import { handleFailureCallback, type FinalFailure } from "@/lib/qstash/failure-callback";
import { createFailureFollowUp, runIdempotencyKey } from "@/lib/qstash/failure-follow-up";
import { failureCallbackUrl } from "@/lib/qstash/urls";
import { createVerifier } from "@/lib/qstash/verify";
import { testEnv } from "../../helpers/env";
import { fakeServices } from "../../helpers/fake-services";
import { DEV_CURRENT_KEY, DEV_NEXT_KEY, signedRequest } from "../../helpers/qstash-signature";
import { memoryRedis } from "../../msw/redis-memory";

const env = testEnv({ ADMIN_EMAIL: "ops@acme.test" });
const redisMock = memoryRedis(env.UPSTASH_REDIS_REST_URL);
const server = setupServer(...redisMock.handlers);
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterAll(() => server.close());
beforeEach(() => redisMock.flush());

const verify = createVerifier({ currentSigningKey: DEV_CURRENT_KEY, nextSigningKey: DEV_NEXT_KEY });
const b64 = (text: string) => Buffer.from(text).toString("base64");
const followUp = createFailureFollowUp({ registry });

function callback(overrides: Record<string, unknown> = {}) {
  const body = JSON.stringify({
    status: 489,
    body: b64(JSON.stringify({ error: "Resend 422 validation_error: bad address", job: "welcome-email" })),
    retried: 0,
    maxRetries: 1,
    dlqId: "dlq_1",
    sourceMessageId: "msg_1",
    url: "https://app.test/api/jobs/welcome-email",
    sourceBody: b64(JSON.stringify({ userId: "usr_1", email: "ada@example.com", name: "Ada" })),
    ...overrides,
  });
  return signedRequest({ url: failureCallbackUrl(env.APP_URL), body });
}

describe("failure callback follow-up", () => {
  test("marks the run dead, the email log entry failed and alerts the admin once", async () => {
    const { services, email } = fakeServices({ env });
    await recordEmail(
      services.redis,
      { key: "welcome-email/usr_1", job: "welcome-email", userId: "usr_1", to: "ada@example.com", subject: "Welcome, Ada!", status: "failed", attempts: 1, messageId: "msg_1", lastError: "Resend 422" },
      services.clock.now(),
    );

    const first = await handleFailureCallback(callback(), { services, verify, onFirstFailure: followUp });
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ ok: true, recorded: true });

    expect(await getRun(services.redis, "msg_1")).toMatchObject({ status: "dead", dlqId: "dlq_1" });
    const [entry] = await listEmailLog(services.redis, "usr_1");
    expect(entry).toMatchObject({ key: "welcome-email/usr_1", status: "failed", subject: "Welcome, Ada!", lastError: expect.stringContaining("gave up after HTTP 489") });

    expect(email.sent).toHaveLength(1);
    const [alert] = email.sent;
    expect(alert).toMatchObject({ to: "ops@acme.test", idempotencyKey: "dlq-alert/msg_1" });
    expect(alert!.subject).toBe("Job welcome-email failed and is in the dead-letter queue");
    expect(alert!.text).toContain("Message id: msg_1");
    expect(alert!.text).toContain("Reason: Resend 422 validation_error: bad address");
    expect(alert!.text).toContain('"email": "ada@example.com"');
    expect(alert!.text).toContain("https://app.test/admin?dlq=dlq_1");
    expect(alert!.html).toContain("https://app.test/admin?dlq=dlq_1");

    const again = await handleFailureCallback(callback(), { services, verify, onFirstFailure: followUp });
    expect(await again.json()).toEqual({ ok: true, recorded: false });
    expect(email.sent).toHaveLength(1);
  });

  test("an email that was sent stays sent", async () => {
    const { services } = fakeServices({ env });
    await recordEmail(
      services.redis,
      { key: "welcome-email/usr_1", job: "welcome-email", userId: "usr_1", to: "ada@example.com", subject: "Welcome, Ada!", status: "sent", resendId: "re_1", attempts: 1, messageId: "msg_1" },
      services.clock.now(),
    );
    await handleFailureCallback(callback(), { services, verify, onFirstFailure: followUp });
    expect((await listEmailLog(services.redis, "usr_1"))[0]).toMatchObject({ status: "sent", resendId: "re_1" });
  });

  test("a job that never reached its send still leaves a failed entry when the payload names the address", async () => {
    const { services } = fakeServices({ env });
    await handleFailureCallback(callback({ status: 504, body: b64(JSON.stringify({ error: "job timed out after 58000 ms" })) }), {
      services,
      verify,
      onFirstFailure: followUp,
    });
    expect((await listEmailLog(services.redis, "usr_1"))[0]).toMatchObject({
      key: "welcome-email/usr_1",
      status: "failed",
      to: "ada@example.com",
      lastError: "gave up after HTTP 504: job timed out after 58000 ms",
    });
  });

  test("jobs without a userId leave the email log alone; without ADMIN_EMAIL nobody is emailed", async () => {
    const { services, email } = fakeServices({ env: testEnv() });
    await handleFailureCallback(
      callback({ url: "https://app.test/api/jobs/test", sourceBody: b64(JSON.stringify({ message: "boom", failWith: "non-retryable" })) }),
      { services, verify, onFirstFailure: followUp },
    );
    expect(await getRun(services.redis, "msg_1")).toMatchObject({ status: "dead", job: "test" });
    expect(email.attempts).toBe(0);
  });

  test("a transient alert failure answers 503 and the next callback delivery finishes the follow-up", async () => {
    const { services, email } = fakeServices({ env });
    email.failNext({ name: "internal_server_error", statusCode: 500, message: "try later" });
    const spy = vi.spyOn(console, "error").mockImplementation(() => {});
    const first = await handleFailureCallback(callback(), { services, verify, onFirstFailure: followUp });
    spy.mockRestore();
    expect(first.status).toBe(503);
    expect(email.sent).toHaveLength(0);

    const second = await handleFailureCallback(callback(), { services, verify, onFirstFailure: followUp });
    expect(second.status).toBe(200);
    expect(email.sent.map((message) => message.idempotencyKey)).toEqual(["dlq-alert/msg_1"]);

    await handleFailureCallback(callback(), { services, verify, onFirstFailure: followUp });
    expect(email.sent).toHaveLength(1);
  });

  test("a rejected alert address is logged, not retried forever", async () => {
    const { services, email } = fakeServices({ env });
    email.failNext({ name: "validation_error", statusCode: 422, message: "invalid to" });
    const spy = vi.spyOn(console, "error").mockImplementation(() => {});
    const answer = await handleFailureCallback(callback(), { services, verify, onFirstFailure: followUp });
    expect(spy).toHaveBeenCalledWith(expect.stringContaining("dlq_alert_rejected"));
    spy.mockRestore();
    expect(answer.status).toBe(200);
  });
});

describe("runIdempotencyKey", () => {
  const keyed = defineJob({
    name: "keyed",
    schema: z.object({ eventId: z.string(), userId: z.string() }),
    retries: 0,
    idempotencyKey: (payload) => `evt-${payload.eventId}`,
    handler: async () => undefined,
  });
  const failure = (payload: unknown): FinalFailure => ({ messageId: "msg_9", dlqId: "d", jobName: "keyed", status: 500, reason: "x", payload, retried: 0 });

  test("uses the job's business key, like the route did", () => {
    expect(runIdempotencyKey(failure({ eventId: "e1", userId: "u" }), keyed).key).toBe("keyed/evt-e1");
  });
  test("falls back to the message id for jobs without one, unknown jobs and payloads the schema rejects", () => {
    expect(runIdempotencyKey({ ...failure({ message: "x" }), jobName: "test" }, registry.test).key).toBe("test/msg_9");
    expect(runIdempotencyKey(failure({}), undefined).key).toBe("keyed/msg_9");
    expect(runIdempotencyKey(failure({ nope: true }), keyed).key).toBe("keyed/msg_9");
  });
});
