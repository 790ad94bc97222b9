import { describe, expect, expectTypeOf, test } from "vitest";
import { EMAIL_PACE } from "@/lib/email/pace";
import { refundNotificationEmail } from "@/lib/email/templates/refund-notification";
import { listEmailLog } from "@/lib/email-log/store";
import type { JobInput } from "@/lib/job-runtime";
import { refundNotification } from "@/lib/jobs/refund-notification";
import { jobs } from "@/lib/jobs/registry";
import { deliver, fakeServices } from "../../helpers/fake-services";
import { testEnv } from "../../helpers/env";
import { setupMemoryRedis } from "../../helpers/msw";

const env = testEnv();
setupMemoryRedis(env.UPSTASH_REDIS_REST_URL);

// The registered job: its handler loads on first use, as in the route.
const registry = { "refund-notification": jobs["refund-notification"] };
const payload = {
  eventId: "evt_r1",
  refundId: "re_1",
  purchaseId: "ord_1001",
  userId: "usr_1",
  email: "ada@example.com",
  amountCents: 1_000,
  currency: "EUR",
  reason: "Duplicate charge",
  refundedAt: Date.UTC(2026, 0, 16, 12, 0),
} satisfies JobInput<typeof refundNotification>;

describe("refund-notification", () => {
  test("declares 3 retries with 2^n s backoff at the email pace, keyed by the provider event id", () => {
    expect(refundNotification.retries).toBe(3);
    expect(refundNotification.pace).toBe(EMAIL_PACE);
    expect(refundNotification.retryDelay).toBe("pow(2, retried) * 1000");
    expect(refundNotification.idempotencyKey!(refundNotification.schema.parse(payload))).toBe("evt_r1");
  });

  test("sends once per event and logs it", async () => {
    const { services, email } = fakeServices({ env });
    expect((await deliver(services, refundNotification, payload, { messageId: "msg_a", registry })).status).toBe(200);
    expect((await deliver(services, refundNotification, payload, { messageId: "msg_b", registry })).body.duplicate).toBe(true);
    expect(email.sent).toHaveLength(1);
    expect(email.sent[0]).toMatchObject({
      subject: "Your refund of €10.00 is on its way",
      idempotencyKey: "refund-notification/evt_r1",
    });
    expect((await listEmailLog(services.redis, "usr_1"))[0]).toMatchObject({ job: "refund-notification", status: "sent" });
  });

  test("a Resend outage is retryable (503); a quota error goes to the DLQ (489)", async () => {
    const { services, email } = fakeServices({ env });
    email.failNext({ name: "application_error", statusCode: null, message: "unreachable" });
    expect((await deliver(services, refundNotification, payload, { messageId: "msg_a", registry })).status).toBe(503);
    email.failNext({ name: "daily_quota_exceeded", statusCode: 429, message: "quota" });
    expect((await deliver(services, refundNotification, payload, { messageId: "msg_a", retried: 1, registry })).status).toBe(489);
  });

  test("a zero refund is not a refund (489)", async () => {
    const { services } = fakeServices({ env });
    expect((await deliver(services, refundNotification, { ...payload, amountCents: 0 }, { registry })).status).toBe(489);
  });

  test("template: deterministic, optional reason", async () => {
    const parsed = refundNotification.schema.parse(payload);
    expect(await refundNotificationEmail(parsed)).toEqual(await refundNotificationEmail(parsed));
    expect((await refundNotificationEmail(parsed)).text).toContain("Reason: Duplicate charge");
    expect((await refundNotificationEmail({ ...parsed, reason: undefined })).text).not.toContain("Reason");
  });

  test("producers can't publish a wrong payload (types)", () => {
    const { services } = fakeServices({ env });
    expectTypeOf<JobInput<typeof refundNotification>>().toHaveProperty("refundId").toEqualTypeOf<string>();
    // @ts-expect-error refundedAt is required
    void (() => services.queue.enqueue(refundNotification, { ...payload, refundedAt: undefined }));
  });
});
