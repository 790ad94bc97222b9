import { describe, expect, test, vi } from "vitest";
import { listEmailLog, recordEmail } from "@/lib/email-log/store";
import { getRun, handleFailureCallback, createIdempotencyGuard, failureCallbackUrl, createVerifier } from "@/lib/job-runtime";
import { failureCallbackDepsOf, type Services } from "@/lib/services";
import { testEnv } from "../../helpers/env";
import { deliver, fakeServices } from "../../helpers/fake-services";
import { EMAIL_PACE } from "@/lib/email/pace";
import { dlqAlert } from "@/lib/jobs/dlq-alert";
import { jobs } from "@/lib/jobs/registry";
import { DEV_CURRENT_KEY, DEV_NEXT_KEY, signedRequest } from "../../helpers/qstash-signature";
import { setupMemoryRedis } from "../../helpers/msw";

const env = testEnv({ ADMIN_EMAIL: "ops@acme.test" });
setupMemoryRedis(env.UPSTASH_REDIS_REST_URL);

const verify = createVerifier({ currentSigningKey: DEV_CURRENT_KEY, nextSigningKey: DEV_NEXT_KEY });
const b64 = (text: string) => Buffer.from(text).toString("base64");
/** The production wiring: the run marked dead, then the app's follow-up (email log, admin alert). */
const deps = (services: Services) => failureCallbackDepsOf(services, verify);

type Fake = ReturnType<typeof fakeServices>;
/** Runs every published alert job through the route, as QStash would under the pace. */
async function deliverAlerts(ctx: Fake) {
  const answers = [];
  for (const job of ctx.queue.published.filter((published) => published.job === dlqAlert.name))
    answers.push(await deliver(ctx.services, dlqAlert, job.payload, { messageId: `alert_${job.messageId}`, registry: jobs }));
  return answers;
}

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
  test("marks the run dead, the email log entry failed and alerts the admin once, through the paced alert job", async () => {
    const ctx = fakeServices({ env });
    const { services, email } = ctx;
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

    // The callback sends nothing itself: it publishes the alert under the shared Resend pace.
    expect(email.attempts).toBe(0);
    const [published] = ctx.queue.published;
    expect(published).toMatchObject({ job: "dlq-alert", options: { deduplicationId: "dlq-alert-msg_1" } });
    expect(published!.request.flowControl).toMatchObject({ key: EMAIL_PACE.key });
    expect((await deliverAlerts(ctx)).map((answer) => answer.status)).toEqual([200]);
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
    expect(ctx.queue.published).toHaveLength(1);
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
    const { services, email, queue } = fakeServices({ env: testEnv() });
    await handleFailureCallback(
      callback({
        url: "https://app.test/api/jobs/test",
        sourceBody: b64(JSON.stringify({ message: "boom", failWith: "non-retryable" })),
      }),
      deps(services),
    );
    expect(await getRun(services.redis, "msg_1")).toMatchObject({ status: "dead", job: "test" });
    expect(email.attempts).toBe(0);
    expect(queue.published).toEqual([]);
  });

  test("an alert QStash refuses to take answers 503, and the next callback delivery publishes it", async () => {
    const ctx = fakeServices({ env });
    ctx.queue.failNext = new Error("QStash unreachable");
    const spy = vi.spyOn(console, "error").mockImplementation(() => {});
    const first = await handleFailureCallback(callback(), deps(ctx.services));
    spy.mockRestore();
    expect(first.status).toBe(503);
    expect(ctx.queue.published).toHaveLength(0);

    expect((await handleFailureCallback(callback(), deps(ctx.services))).status).toBe(200);
    await handleFailureCallback(callback(), deps(ctx.services));
    expect(ctx.queue.published.map((job) => job.job)).toEqual(["dlq-alert"]);
  });

  test("Resend down: the alert job retries (same key); a rejected address is logged, not retried forever", async () => {
    const ctx = fakeServices({ env });
    await handleFailureCallback(callback(), deps(ctx.services));
    const payload = ctx.queue.published[0]!.payload as Record<string, unknown>;
    const spy = vi.spyOn(console, "error").mockImplementation(() => {});
    ctx.email.failNext({ name: "internal_server_error", statusCode: 500, message: "try later" });
    expect((await deliver(ctx.services, dlqAlert, payload, { messageId: "a1", registry: jobs })).status).toBe(503);
    expect((await deliver(ctx.services, dlqAlert, payload, { messageId: "a1", retried: 1, registry: jobs })).status).toBe(200);
    expect(ctx.email.sent.map((message) => message.idempotencyKey)).toEqual(["dlq-alert/msg_1"]);

    ctx.email.failNext({ name: "validation_error", statusCode: 422, message: "invalid to" });
    const rejected = await deliver(
      ctx.services,
      dlqAlert,
      { ...payload, messageId: "msg_2" },
      { messageId: "a2", registry: jobs },
    );
    expect(spy).toHaveBeenCalledWith(expect.stringContaining("dlq_alert_rejected"));
    spy.mockRestore();
    expect(rejected.status).toBe(200);
  });

  test("a dead alert job is logged, never alerted about (no alert loop)", async () => {
    const ctx = fakeServices({ env });
    const spy = vi.spyOn(console, "error").mockImplementation(() => {});
    const answer = await handleFailureCallback(
      callback({
        url: "https://app.test/api/jobs/dlq-alert",
        sourceBody: b64(JSON.stringify({ to: "ops@acme.test", messageId: "msg_0" })),
      }),
      deps(ctx.services),
    );
    expect(spy).toHaveBeenCalledWith(expect.stringContaining("dlq_alert_dead"));
    spy.mockRestore();
    expect(answer.status).toBe(200);
    expect(ctx.queue.published).toEqual([]);
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
