import { afterEach, describe, expect, test, vi } from "vitest";
import { purchaseConfirmation } from "@/lib/jobs/purchase-confirmation";
import { refundNotification } from "@/lib/jobs/refund-notification";
import { signPaymentWebhook } from "@/lib/payments/signature";
import { ENQUEUE_BUDGET_MS, handlePaymentWebhook } from "@/lib/flows/payments-webhook";
import { fakeServices } from "../../helpers/fake-services";
import { purchaseEvent, refundEvent, signedWebhook, WEBHOOK_SECRET as secret } from "../../helpers/payment-events";

const URL = "https://app.test/api/webhooks/payments";

afterEach(() => {
  vi.useRealTimers();
});

async function post(
  ctx: ReturnType<typeof fakeServices>,
  event: unknown,
  sign: { secret?: string; atSeconds?: number; header?: string | null } = {},
) {
  const request = await signedWebhook(URL, event, { atSeconds: Math.floor(ctx.clock.now() / 1000), ...sign });
  const response = await handlePaymentWebhook(request, ctx.services, { secret });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("POST /api/webhooks/payments", () => {
  test("purchase.completed enqueues one purchase-confirmation, deduplicated and keyed by the event id", async () => {
    const ctx = fakeServices();
    const answer = await post(ctx, purchaseEvent());

    expect(answer).toEqual({
      status: 200,
      body: { received: true, id: "evt_purchase_1", type: "purchase.completed", messageId: "msg_1", deduplicated: false },
    });
    expect(ctx.queue.published).toHaveLength(1);
    const [job] = ctx.queue.published;
    expect(job!.job).toBe("purchase-confirmation");
    expect(job!.options).toEqual({ deduplicationId: "evt_purchase_1", label: "payments" });
    expect(job!.payload).toMatchObject({ eventId: "evt_purchase_1", purchaseId: "ord_1001", purchasedAt: 1_768_467_600_000 });
    expect(job!.request).toMatchObject({ retries: 3, retryDelay: "pow(2, retried) * 1000", deduplicationId: "evt_purchase_1" });
    expect(purchaseConfirmation.idempotencyKey!(purchaseConfirmation.schema.parse(job!.payload))).toBe("evt_purchase_1");
  });

  test("refund.created enqueues refund-notification with 3 retries", async () => {
    const ctx = fakeServices();
    expect((await post(ctx, refundEvent())).status).toBe(200);
    const [job] = ctx.queue.published;
    expect(job!.job).toBe("refund-notification");
    expect(job!.request).toMatchObject({ retries: 3, retryDelay: "pow(2, retried) * 1000", deduplicationId: "evt_refund_1" });
    expect(refundNotification.idempotencyKey!(refundNotification.schema.parse(job!.payload))).toBe("evt_refund_1");
  });

  test("the same event delivered twice publishes once (QStash deduplicates on the event id)", async () => {
    const ctx = fakeServices();
    const first = await post(ctx, purchaseEvent());
    const second = await post(ctx, purchaseEvent());
    expect(second.body).toMatchObject({ messageId: first.body.messageId, deduplicated: true });
    expect(ctx.queue.published).toHaveLength(1);
  });

  test.each([
    ["missing", { header: null }, "missing"],
    ["signed with another secret", { secret: "whsec_someone_else_000000" }, "mismatch"],
    ["expired (signed 6 minutes ago)", { atSeconds: 1_768_467_600 - 360 }, "expired"],
    ["malformed", { header: "t=now" }, "malformed"],
  ])("401 and nothing queued when the signature is %s; the reason is only in the log", async (_name, sign, reason) => {
    const ctx = fakeServices({ nowMs: 1_768_467_600_000 });
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      const answer = await post(ctx, purchaseEvent(), sign);
      expect(answer).toEqual({ status: 401, body: { error: "invalid signature" } });
      expect(warn.mock.calls.map((call) => String(call[0])).join("\n")).toContain(`"reason":"${reason}"`);
    } finally {
      warn.mockRestore();
    }
    expect(ctx.queue.published).toEqual([]);
  });

  test("401 for a tampered body", async () => {
    const ctx = fakeServices();
    const body = JSON.stringify(purchaseEvent());
    const header = await signPaymentWebhook(body, secret, Math.floor(ctx.clock.now() / 1000));
    const request = new Request(URL, {
      method: "POST",
      headers: { "payment-signature": header },
      body: body.replace("4200", "1"),
    });
    expect((await handlePaymentWebhook(request, ctx.services, { secret })).status).toBe(401);
    expect(ctx.queue.published).toEqual([]);
  });

  test("unknown event types are acknowledged and ignored", async () => {
    const ctx = fakeServices();
    const answer = await post(ctx, { id: "evt_9", type: "customer.updated", created: 1, data: {} });
    expect(answer).toEqual({ status: 200, body: { received: true, ignored: true, id: "evt_9", type: "customer.updated" } });
    expect(ctx.queue.published).toEqual([]);
  });

  test("400 for a malformed event of a handled type, and for non-JSON", async () => {
    const ctx = fakeServices();
    const bad = await post(ctx, purchaseEvent({ data: { purchaseId: "ord_1", amountCents: -5 } }));
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/invalid purchase.completed event/);
    expect((await post(ctx, "not json")).status).toBe(400);
    expect((await post(ctx, { id: "bad id with spaces", type: "purchase.completed" })).status).toBe(400);
    expect(ctx.queue.published).toEqual([]);
  });

  test("503 when the secret is not configured", async () => {
    const ctx = fakeServices();
    const request = new Request(URL, { method: "POST", body: "{}" });
    expect((await handlePaymentWebhook(request, ctx.services, { secret: undefined })).status).toBe(503);
  });

  test("503 with Retry-After when QStash fails, so the provider retries", async () => {
    const ctx = fakeServices();
    ctx.queue.failNext = new Error("QStash down");
    const down = await post(ctx, purchaseEvent());
    expect(down.status).toBe(503);
  });

  test(`answers 503 within the ${ENQUEUE_BUDGET_MS} ms budget when QStash hangs`, async () => {
    expect(ENQUEUE_BUDGET_MS).toBeLessThan(500);
    const ctx = fakeServices();
    let entered!: () => void;
    const publishing = new Promise<void>((resolve) => (entered = resolve));
    // A publish that never answers; it tells the test once the request reached it (the deadline is armed by then).
    const hanging = {
      ...ctx.services,
      queue: {
        ...ctx.queue,
        enqueue: () => {
          entered();
          return new Promise<never>(() => {});
        },
      },
    };
    const request = await signedWebhook(URL, purchaseEvent(), { atSeconds: Math.floor(ctx.clock.now() / 1000) });
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const pending = handlePaymentWebhook(request, hanging, { secret });
    await publishing;
    await vi.advanceTimersByTimeAsync(ENQUEUE_BUDGET_MS);
    const response = await pending;
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("5");
  });
});
