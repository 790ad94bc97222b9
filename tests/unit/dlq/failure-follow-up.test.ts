import { describe, expect, test, vi } from "vitest";
import { listEmailLog, recordEmail } from "@/lib/email-log/store";
import { getRun, handleFailureCallback, createIdempotencyGuard, failureCallbackUrl, createVerifier } from "@/lib/job-runtime";
import { failureCallbackDepsOf, type Services } from "@/lib/services";
import { testEnv } from "../../helpers/env";
import { fakeServices } from "../../helpers/fake-services";
import { DEV_CURRENT_KEY, DEV_NEXT_KEY, signedRequest } from "../../helpers/qstash-signature";
import { setupMemoryRedis } from "../../helpers/msw";

const env = testEnv({ ADMIN_EMAIL: "ops@acme.test" });
setupMemoryRedis(env.UPSTASH_REDIS_REST_URL);

const verify = createVerifier({ currentSigningKey: DEV_CURRENT_KEY, nextSigningKey: DEV_NEXT_KEY });
const b64 = (text: string) => Buffer.from(text).toString("base64");
/** The production wiring: the run marked dead, then the app's follow-up (email log, admin alert). */
const deps = (services: Services) => failureCallbackDepsOf(services, verify);

/** A run record as the job route leaves it: claimed under the job's canonical idempotency key. */
async function claimedRun(services: Services, idempotencyKey: string, messageId = "msg_1") {
  const guard = createIdempotencyGuard(services.redis, () => services.clock.now());
  const [jobName = "job"] = idempotencyKey.split("/");
  await guard.claim({
    jobName,
    idempotencyKey,
    messageId,
    leaseMs: 60_000,
    deadlineMs: services.clock.now() + 60_000,
    nowMs: services.clock.now(),
    leaseId: "lease",
  });
}

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
    await claimedRun(services, "welcome-email/usr_1");
    await recordEmail(
      services.redis,
      {
        key: "welcome-email/usr_1",
        job: "welcome-email",
        userId: "usr_1",
        to: "ada@example.com",
        subject: "Welcome, Ada!",
        status: "failed",
        attempts: 1,
        messageId: "msg_1",
        lastError: "Resend 422",
      },
      services.clock.now(),
    );

    const first = await handleFailureCallback(callback(), deps(services));
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ ok: true, recorded: true });

    expect(await getRun(services.redis, "msg_1")).toMatchObject({ status: "dead", dlqId: "dlq_1" });
    const [entry] = await listEmailLog(services.redis, "usr_1");
    expect(entry).toMatchObject({
      key: "welcome-email/usr_1",
      status: "failed",
      subject: "Welcome, Ada!",
      lastError: expect.stringContaining("gave up after HTTP 489"),
    });

    expect(email.sent).toHaveLength(1);
    const [alert] = email.sent;
    expect(alert).toMatchObject({ to: "ops@acme.test", idempotencyKey: "dlq-alert/msg_1" });
    expect(alert!.subject).toBe("Job welcome-email failed and is in the dead-letter queue");
    expect(alert!.text).toContain("Message id: msg_1");
    expect(alert!.text).toContain("Reason: Resend 422 validation_error: bad address");
    expect(alert!.text).toContain('"email": "ada@example.com"');
    expect(alert!.text).toContain("https://app.test/admin?dlq=dlq_1");
    expect(alert!.html).toContain("https://app.test/admin?dlq=dlq_1");

    const again = await handleFailureCallback(callback(), deps(services));
    expect(await again.json()).toEqual({ ok: true, recorded: false });
    expect(email.sent).toHaveLength(1);
  });

  test("an email that was sent stays sent", async () => {
    const { services } = fakeServices({ env });
    await claimedRun(services, "welcome-email/usr_1");
    await recordEmail(
      services.redis,
      {
        key: "welcome-email/usr_1",
        job: "welcome-email",
        userId: "usr_1",
        to: "ada@example.com",
        subject: "Welcome, Ada!",
        status: "sent",
        resendId: "re_1",
        attempts: 1,
        messageId: "msg_1",
      },
      services.clock.now(),
    );
    await handleFailureCallback(callback(), deps(services));
    expect((await listEmailLog(services.redis, "usr_1"))[0]).toMatchObject({ status: "sent", resendId: "re_1" });
  });

  test("a job that never reached its send still leaves a failed entry when the payload names the address", async () => {
    const { services } = fakeServices({ env });
    await claimedRun(services, "welcome-email/usr_1");
    await handleFailureCallback(
      callback({ status: 504, body: b64(JSON.stringify({ error: "job timed out after 58000 ms" })) }),
      deps(services),
    );
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
      callback({
        url: "https://app.test/api/jobs/test",
        sourceBody: b64(JSON.stringify({ message: "boom", failWith: "non-retryable" })),
      }),
      deps(services),
    );
    expect(await getRun(services.redis, "msg_1")).toMatchObject({ status: "dead", job: "test" });
    expect(email.attempts).toBe(0);
  });

  test("a transient alert failure answers 503 and the next callback delivery finishes the follow-up", async () => {
    const { services, email } = fakeServices({ env });
    email.failNext({ name: "internal_server_error", statusCode: 500, message: "try later" });
    const spy = vi.spyOn(console, "error").mockImplementation(() => {});
    const first = await handleFailureCallback(callback(), deps(services));
    spy.mockRestore();
    expect(first.status).toBe(503);
    expect(email.sent).toHaveLength(0);

    const second = await handleFailureCallback(callback(), deps(services));
    expect(second.status).toBe(200);
    expect(email.sent.map((message) => message.idempotencyKey)).toEqual(["dlq-alert/msg_1"]);

    await handleFailureCallback(callback(), deps(services));
    expect(email.sent).toHaveLength(1);
  });

  test("a rejected alert address is logged, not retried forever", async () => {
    const { services, email } = fakeServices({ env });
    email.failNext({ name: "validation_error", statusCode: 422, message: "invalid to" });
    const spy = vi.spyOn(console, "error").mockImplementation(() => {});
    const answer = await handleFailureCallback(callback(), deps(services));
    expect(spy).toHaveBeenCalledWith(expect.stringContaining("dlq_alert_rejected"));
    spy.mockRestore();
    expect(answer.status).toBe(200);
  });
});

describe("the email log key of a dead run", () => {
  test("is the run record's canonical idempotency key, not one rebuilt from the payload", async () => {
    const { services } = fakeServices({ env });
    await claimedRun(services, "welcome-email/custom-key");
    await handleFailureCallback(callback(), deps(services));
    expect((await listEmailLog(services.redis, "usr_1"))[0]).toMatchObject({ key: "welcome-email/custom-key", status: "failed" });
  });

  test("is <job>/<message id> when the message never reached a handler (no run record)", async () => {
    const { services } = fakeServices({ env });
    await handleFailureCallback(callback({ status: 489 }), deps(services));
    expect((await listEmailLog(services.redis, "usr_1"))[0]).toMatchObject({ key: "welcome-email/msg_1", status: "failed" });
  });
});
