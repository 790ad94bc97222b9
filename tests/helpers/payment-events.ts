import { signPaymentWebhook } from "@/lib/payments/signature";

/** Provider webhook events as the payment provider sends them (amounts in cents, `created` in Unix seconds). */
export const WEBHOOK_SECRET = "whsec_test_0123456789abcdef";

export function purchaseEvent(overrides: Record<string, unknown> = {}) {
  return {
    id: "evt_purchase_1",
    type: "purchase.completed",
    created: 1_768_467_600,
    data: {
      purchaseId: "ord_1001",
      userId: "usr_1",
      email: "ada@example.com",
      name: "Ada",
      amountCents: 4_200,
      currency: "usd",
      items: [{ description: "Pro plan", quantity: 1, amountCents: 4_200 }],
    },
    ...overrides,
  };
}

export function refundEvent(overrides: Record<string, unknown> = {}) {
  return {
    id: "evt_refund_1",
    type: "refund.created",
    created: 1_768_467_700,
    data: {
      refundId: "re_1",
      purchaseId: "ord_1001",
      userId: "usr_1",
      email: "ada@example.com",
      amountCents: 1_000,
      currency: "EUR",
    },
    ...overrides,
  };
}

/** A signed webhook request, as the provider would POST it to `url`. */
export async function signedWebhook(
  url: string,
  event: unknown,
  options: { secret?: string; atSeconds: number; header?: string | null },
): Promise<Request> {
  const body = typeof event === "string" ? event : JSON.stringify(event);
  const header =
    options.header !== undefined
      ? options.header
      : await signPaymentWebhook(body, options.secret ?? WEBHOOK_SECRET, options.atSeconds);
  return new Request(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(header !== null && { "payment-signature": header }) },
    body,
  });
}
