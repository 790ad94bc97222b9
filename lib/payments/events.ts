import * as z from "zod/mini";

/**
 * The provider's webhook events we act on. Amounts are integers in the minor
 * unit; `created` is Unix seconds, as providers send it. Unknown event types
 * are acknowledged and ignored, so adding one at the provider breaks nothing.
 */

/** Provider event ids become QStash deduplication ids and idempotency keys: keep them header- and key-safe. */
export const paymentEventId = z.string().check(z.regex(/^[A-Za-z0-9_.:-]{1,200}$/, "letters, digits, _ . : - only (max 200)"));
export const currencyCode = z.string().check(z.regex(/^[A-Za-z]{3}$/, "ISO 4217 code"), z.toUpperCase());
const shortText = z.string().check(z.trim(), z.minLength(1), z.maxLength(200));

export const lineItem = z.object({
  description: shortText,
  quantity: z.int().check(z.positive(), z.lte(10_000)),
  /** Line total, minor units. */
  amountCents: z.int().check(z.nonnegative()),
});

const customer = {
  userId: shortText,
  email: z.email(),
  name: z.optional(shortText),
};

const purchaseCompletedEvent = z.object({
  id: paymentEventId,
  type: z.literal("purchase.completed"),
  created: z.int().check(z.positive()),
  data: z.object({
    purchaseId: shortText,
    ...customer,
    amountCents: z.int().check(z.nonnegative()),
    currency: currencyCode,
    items: z._default(z.array(lineItem).check(z.maxLength(100)), []),
  }),
});

const refundCreatedEvent = z.object({
  id: paymentEventId,
  type: z.literal("refund.created"),
  created: z.int().check(z.positive()),
  data: z.object({
    refundId: shortText,
    purchaseId: shortText,
    ...customer,
    amountCents: z.int().check(z.positive()),
    currency: currencyCode,
    reason: z.optional(z.string().check(z.trim(), z.maxLength(500))),
  }),
});

export const HANDLED_EVENT_TYPES = ["purchase.completed", "refund.created"] as const;
export const paymentEvent = z.discriminatedUnion("type", [purchaseCompletedEvent, refundCreatedEvent]);
export type PaymentEvent = z.output<typeof paymentEvent>;

/** Just enough to route an event: its id and type. */
export const eventEnvelope = z.object({ id: paymentEventId, type: z.string().check(z.minLength(1), z.maxLength(100)) });
