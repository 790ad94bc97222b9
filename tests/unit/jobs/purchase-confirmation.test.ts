import { describe, expect, expectTypeOf, test } from "vitest";
import { purchaseConfirmationEmail } from "@/lib/email/templates/purchase-confirmation";
import { listEmailLog } from "@/lib/email-log/store";
import type { JobInput } from "@/lib/job-runtime";
import { purchaseConfirmation } from "@/lib/jobs/purchase-confirmation";
import { jobs } from "@/lib/jobs/registry";
import { deliver, fakeServices } from "../../helpers/fake-services";
import { testEnv } from "../../helpers/env";
import { setupMemoryRedis } from "../../helpers/msw";

const env = testEnv();
const { redis } = setupMemoryRedis(env.UPSTASH_REDIS_REST_URL);

// The registered job: its handler loads on first use, as in the route.
const registry = { "purchase-confirmation": jobs["purchase-confirmation"] };
const payload = {
  eventId: "evt_1",
  purchaseId: "ord_1001",
  userId: "usr_1",
  email: "ada@example.com",
  name: "Ada",
  amountCents: 123_456,
  currency: "usd",
  items: [
    { description: "Pro plan", quantity: 1, amountCents: 120_000 },
    { description: "Extra seat <b>", quantity: 2, amountCents: 3_456 },
  ],
  purchasedAt: Date.UTC(2026, 0, 15, 9, 5),
} satisfies JobInput<typeof purchaseConfirmation>;

describe("purchase-confirmation", () => {
  test("declares 3 retries with 2^n s backoff, keyed by the provider event id", () => {
    expect(purchaseConfirmation.retries).toBe(3);
    expect(purchaseConfirmation.retryDelay).toBe("pow(2, retried) * 1000");
    expect(purchaseConfirmation.idempotencyKey!(purchaseConfirmation.schema.parse(payload))).toBe("evt_1");
  });

  test("sends one receipt with the job's idempotency key and logs it as sent", async () => {
    const { services, email } = fakeServices({ env });
    const answer = await deliver(services, purchaseConfirmation, payload, { messageId: "msg_a", registry });

    expect(answer.status).toBe(200);
    expect(answer.body.result).toEqual({ emailId: "email_1" });
    expect(email.sent).toHaveLength(1);
    expect(email.sent[0]).toMatchObject({
      to: "ada@example.com",
      subject: "Your receipt for order ord_1001",
      idempotencyKey: "purchase-confirmation/evt_1",
      tags: [{ name: "job", value: "purchase-confirmation" }],
    });
    expect(email.sent[0]!.text).toContain("$1,234.56");
    const [entry] = await listEmailLog(services.redis, "usr_1");
    expect(entry).toMatchObject({ job: "purchase-confirmation", status: "sent", resendId: "email_1", attempts: 1 });
  });

  test("a second message for the same event (another publish) does not send again", async () => {
    const { services, email } = fakeServices({ env });
    await deliver(services, purchaseConfirmation, payload, { messageId: "msg_a", registry });
    const again = await deliver(services, purchaseConfirmation, payload, { messageId: "msg_b", registry });
    expect(again.status).toBe(200);
    expect(again.body.duplicate).toBe(true);
    expect(email.sent).toHaveLength(1);
  });

  test("Resend 5xx → retryable 503, logged failed; the retry sends and the log shows 2 attempts", async () => {
    const { services, email } = fakeServices({ env });
    email.failNext({ name: "internal_server_error", statusCode: 500, message: "boom" });
    const first = await deliver(services, purchaseConfirmation, payload, { messageId: "msg_a", registry });
    expect(first.status).toBe(503);
    expect((await listEmailLog(services.redis, "usr_1"))[0]).toMatchObject({ status: "failed", attempts: 1 });

    const retry = await deliver(services, purchaseConfirmation, payload, { messageId: "msg_a", retried: 1, registry });
    expect(retry.status).toBe(200);
    expect(email.sent).toHaveLength(1);
    expect((await listEmailLog(services.redis, "usr_1"))[0]).toMatchObject({ status: "sent", attempts: 2 });
  });

  test("Resend 429 → 429 with Retry-After; a validation error → 489 to the DLQ", async () => {
    const { services, email } = fakeServices({ env });
    email.failNext({ name: "rate_limit_exceeded", statusCode: 429, message: "slow down", retryAfterSeconds: 2 });
    expect((await deliver(services, purchaseConfirmation, payload, { messageId: "msg_a", registry })).status).toBe(429);
    email.failNext({ name: "validation_error", statusCode: 422, message: "bad address" });
    expect((await deliver(services, purchaseConfirmation, payload, { messageId: "msg_a", retried: 1, registry })).status).toBe(
      489,
    );
  });

  test.each([
    ["missing email", { ...payload, email: undefined }],
    ["negative amount", { ...payload, amountCents: -1 }],
    ["bad currency", { ...payload, currency: "dollars" }],
    ["event id with spaces", { ...payload, eventId: "evt 1" }],
  ])("invalid payload (%s) → 489, nothing sent, nothing claimed", async (_name, bad) => {
    const { services, email } = fakeServices({ env });
    const answer = await deliver(services, purchaseConfirmation, bad, { registry });
    expect(answer.status).toBe(489);
    expect(email.attempts).toBe(0);
    expect(redis.commands).toBe(0);
  });

  test("producers can't publish a wrong payload (types)", () => {
    const { services } = fakeServices({ env });
    expectTypeOf<JobInput<typeof purchaseConfirmation>>().toHaveProperty("eventId").toEqualTypeOf<string>();
    expectTypeOf<JobInput<typeof purchaseConfirmation>>().toHaveProperty("amountCents").toEqualTypeOf<number>();
    // @ts-expect-error amountCents must be a number
    void (() => services.queue.enqueue(purchaseConfirmation, { ...payload, amountCents: "42" }));
    // @ts-expect-error eventId is required
    void (() => services.queue.enqueue(purchaseConfirmation, { ...payload, eventId: undefined }));
  });
});

describe("purchase confirmation template", () => {
  const input = { ...purchaseConfirmation.schema.parse(payload), appUrl: "https://app.test" };

  test("is deterministic, in English, with escaped HTML and the totals", async () => {
    const a = await purchaseConfirmationEmail(input);
    expect(await purchaseConfirmationEmail(input)).toEqual(a);
    expect(a.html).toContain('lang="en"');
    expect(a.html).toContain("Extra seat &lt;b&gt;");
    expect(a.html).not.toContain("<b>");
    expect(a.text).toMatch(/15 January 2026\b.*\b09:05 \(UTC\)/);
    expect(a.text).toContain("\nExtra seat <b> × 2: $34.56\n");
    expect(a.text).toContain("Total: $1,234.56");
    expect(a.text).toContain("https://app.test/account/emails");
  });

  test("currencies without minor units", async () => {
    const rendered = await purchaseConfirmationEmail({ ...input, currency: "JPY", amountCents: 5000, items: [] });
    expect(rendered.text).toContain("¥5,000");
  });
});
