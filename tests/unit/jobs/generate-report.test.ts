import { afterEach, describe, expect, expectTypeOf, test } from "vitest";
import { recordEmail } from "@/lib/email-log/store";
import { buildRequest, type JobInput, JobTimeoutError } from "@/lib/job-runtime";
import { generateReport } from "@/lib/jobs/generate-report";
import { jobs } from "@/lib/jobs/registry";
import { reportReadyEmail } from "@/lib/jobs/report-ready-email";
import { EMAIL_PACE } from "@/lib/email/pace";
import { createOrg } from "@/lib/orgs/store";
import { collectReportInputs } from "@/lib/reports/collect";
import { requestReport } from "@/lib/flows/request-report";
import { getReport, listOrgReports } from "@/lib/reports/store";
import { createUser } from "@/lib/users/store";
import { deliver, fakeServices } from "../../helpers/fake-services";
import { testEnv } from "../../helpers/env";
import { jobContextFor } from "../../helpers/job-context";
import { setupMemoryRedis } from "../../helpers/msw";
import { qstashHandlers } from "../../msw/qstash";

const env = testEnv();
// requestReport publishes through the outbox with the services' QStash client: msw answers it.
const qstash = qstashHandlers(env.QSTASH_URL);
setupMemoryRedis(env.UPSTASH_REDIS_REST_URL, ...qstash.handlers);
afterEach(() => qstash.reset());

// The registered jobs: their handlers load on first use, as in the route.
const registry = { "generate-report": jobs["generate-report"], "report-ready-email": jobs["report-ready-email"] };
const NOW = Date.UTC(2026, 0, 15, 9, 0);

async function setup() {
  const ctx = fakeServices({ env, nowMs: NOW });
  const user = await createUser(
    ctx.services.redis,
    { email: "ada@example.com", name: "Ada", password: "correct horse", locale: "en", timeZone: "UTC" },
    NOW,
  );
  if (!user.ok) throw new Error("no user");
  const org = await createOrg(ctx.services.redis, { name: "Acme Ltd", ownerId: user.user.id }, NOW);
  const base = { job: "welcome-email", userId: user.user.id, to: "ada@example.com", subject: "Hi", attempts: 1, messageId: "m1" };
  await recordEmail(ctx.services.redis, { ...base, key: "k1", status: "sent", resendId: "e1" }, NOW - 1_000);
  await recordEmail(ctx.services.redis, { ...base, key: "k2", status: "failed", attempts: 2, messageId: "m2" }, NOW - 2_000);
  return { ...ctx, user: user.user, org };
}

describe("generate-report", () => {
  test("requestReport stores a queued report and publishes with flow control per organisation", async () => {
    const ctx = await setup();
    const requested = await requestReport(ctx.services, { orgId: ctx.org.id, userId: ctx.user.id, periodDays: "30" });
    if (!requested.ok) throw new Error(requested.message);
    expect(await getReport(ctx.services.redis, requested.reportId)).toMatchObject({ status: "queued", orgName: "Acme Ltd" });
    const [published] = qstash.jobs();
    expect(published).toMatchObject({ job: "generate-report", payload: { reportId: requested.reportId } });
    expect(published!.headers).toMatchObject({
      "upstash-flow-control-key": `report:${ctx.org.id}`,
      "upstash-flow-control-value": "parallelism=1",
    });
    expect((await listOrgReports(ctx.services.redis, ctx.org.id)).map((report) => report.id)).toEqual([requested.reportId]);
  });

  test("requestReport refuses non-members and odd periods", async () => {
    const ctx = await setup();
    expect(await requestReport(ctx.services, { orgId: ctx.org.id, userId: "usr_stranger", periodDays: 30 })).toMatchObject({
      ok: false,
      reason: "forbidden",
    });
    expect(await requestReport(ctx.services, { orgId: ctx.org.id, userId: ctx.user.id, periodDays: 5 })).toMatchObject({
      ok: false,
      reason: "invalid",
    });
    expect(await requestReport(ctx.services, { orgId: "org_nope", userId: ctx.user.id, periodDays: 7 })).toMatchObject({
      ok: false,
      reason: "not_found",
    });
    expect(qstash.jobs()).toEqual([]);
  });

  test("the job aggregates the members' email log, stores the result and hands the link to a paced email job", async () => {
    const ctx = await setup();
    const requested = await requestReport(ctx.services, { orgId: ctx.org.id, userId: ctx.user.id, periodDays: 7 });
    if (!requested.ok) throw new Error(requested.message);
    ctx.clock.advance(5_000);
    const answer = await deliver(ctx.services, generateReport, qstash.jobs()[0]!.payload, { registry });

    expect(answer.status).toBe(200);
    const reportUrl = `https://app.test/reports/${requested.reportId}`;
    expect(answer.body.result).toEqual({ reportId: requested.reportId, reportUrl, emailMessageId: "msg_1" });
    const report = await getReport(ctx.services.redis, requested.reportId);
    expect(report).toMatchObject({ status: "ready", completedAt: NOW + 5_000 });
    expect(report!.result!.emails).toEqual({
      total: 2,
      sent: 1,
      failed: 1,
      byJob: [{ job: "welcome-email", sent: 1, failed: 1, attempts: 3 }],
    });
    // The report job sends nothing itself: its flow-control key is per organisation, not the Resend pace.
    expect(ctx.email.attempts).toBe(0);
    const [published] = ctx.queue.published;
    expect(published).toMatchObject({
      job: "report-ready-email",
      payload: {
        reportId: requested.reportId,
        orgName: "Acme Ltd",
        periodDays: 7,
        userId: ctx.user.id,
        email: "ada@example.com",
      },
      options: { deduplicationId: `report-ready-email-${requested.reportId}` },
    });
    expect(published!.request.flowControl).toMatchObject({ key: EMAIL_PACE.key });

    const sent = await deliver(ctx.services, reportReadyEmail, published!.payload, { registry });
    expect(sent.status).toBe(200);
    expect(ctx.email.sent[0]).toMatchObject({
      to: "ada@example.com",
      subject: "Your Acme Ltd report is ready",
      idempotencyKey: `report-ready-email/${requested.reportId}`,
    });
    expect(ctx.email.sent[0]!.text).toContain(reportUrl);
  });

  test("a retry after a failed publish reuses the stored result and publishes the email once", async () => {
    const ctx = await setup();
    const requested = await requestReport(ctx.services, { orgId: ctx.org.id, userId: ctx.user.id, periodDays: 7 });
    if (!requested.ok) throw new Error(requested.message);
    const payload = qstash.jobs()[0]!.payload;
    ctx.queue.failNext = new Error("QStash unreachable");
    expect((await deliver(ctx.services, generateReport, payload, { messageId: "m", registry })).status).toBe(500);
    const first = await getReport(ctx.services.redis, requested.reportId);
    expect(first).toMatchObject({ status: "ready" });

    ctx.clock.advance(60_000);
    expect((await deliver(ctx.services, generateReport, payload, { messageId: "m", retried: 1, registry })).status).toBe(200);
    expect(await getReport(ctx.services.redis, requested.reportId)).toEqual(first);
    // Another message for the same report (a second publish) finds the first's work done.
    expect((await deliver(ctx.services, generateReport, payload, { messageId: "m2", registry })).body).toMatchObject({
      duplicate: true,
    });
    expect(ctx.queue.published.map((job) => job.job)).toEqual(["report-ready-email"]);
  });

  test("a failed email retries only the email job, with the same Resend idempotency key", async () => {
    const ctx = await setup();
    const payload = {
      reportId: `rep_${"c".repeat(32)}`,
      orgName: "Acme Ltd",
      periodDays: 7,
      userId: ctx.user.id,
      email: "ada@example.com",
      name: "Ada",
    };
    ctx.email.failNext({ name: "internal_server_error", statusCode: 500, message: "x" });
    expect((await deliver(ctx.services, reportReadyEmail, payload, { messageId: "e", registry })).status).toBe(503);
    expect((await deliver(ctx.services, reportReadyEmail, payload, { messageId: "e", retried: 1, registry })).status).toBe(200);
    expect(ctx.email.sent).toHaveLength(1);
    expect(ctx.email.sent[0]!.idempotencyKey).toBe(`report-ready-email/${payload.reportId}`);
  });

  test("honours the abort signal: stops between batches with the retryable timeout", async () => {
    const ctx = await setup();
    const controller = new AbortController();
    controller.abort(new JobTimeoutError(1000));
    const error = await collectReportInputs(ctx.services.redis, [ctx.user.id], controller.signal).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(JobTimeoutError);

    const requested = await requestReport(ctx.services, { orgId: ctx.org.id, userId: ctx.user.id, periodDays: 7 });
    if (!requested.ok) throw new Error(requested.message);
    const context = jobContextFor(ctx.services, {
      signal: controller.signal,
      messageId: "m",
      idempotencyKey: "k",
      maxRetries: 2,
    });
    const payload = generateReport.schema.parse(qstash.jobs()[0]!.payload);
    await expect(jobs["generate-report"].handler(payload, context)).rejects.toBeInstanceOf(JobTimeoutError);
    expect(ctx.email.attempts).toBe(0);
    expect(await getReport(ctx.services.redis, requested.reportId)).toMatchObject({ status: "running" });
  });

  test("an organisation that no longer exists goes to the DLQ (489)", async () => {
    const ctx = await setup();
    const payload = {
      reportId: `rep_${"a".repeat(32)}`,
      orgId: "org_gone",
      periodDays: 7,
      requestedBy: { userId: ctx.user.id, email: "ada@example.com", name: "Ada" },
    };
    expect((await deliver(ctx.services, generateReport, payload, { registry })).status).toBe(489);
  });

  test("keyed by report id; types stop wrong payloads", () => {
    const payload = {
      reportId: `rep_${"b".repeat(32)}`,
      orgId: "org_1",
      periodDays: 30,
      requestedBy: { userId: "u", email: "a@example.com", name: "A" },
    } satisfies JobInput<typeof generateReport>;
    expect(generateReport.idempotencyKey!(payload)).toBe(payload.reportId);
    expect(buildRequest("https://app.test", generateReport, payload).flowControl).toEqual({
      key: "report:org_1",
      parallelism: 1,
    });
    const { services } = fakeServices({ env });
    expectTypeOf<JobInput<typeof generateReport>>().toHaveProperty("periodDays").toEqualTypeOf<number>();
    // @ts-expect-error requestedBy needs an email
    void (() => services.queue.enqueue(generateReport, { ...payload, requestedBy: { userId: "u", name: "A" } }));
  });
});
