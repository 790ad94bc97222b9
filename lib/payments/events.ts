import { z } from "zod";

/**
 * The provider's webhook events we act on. Amounts are integers in the minor
 * unit; `created` is Unix seconds, as providers send it. Unknown event types
 * are acknowledged and ignored, so adding one at the provider breaks nothing.
 */

/** Provider event ids become QStash deduplication ids and idempotency keys: keep them header- and key-safe. */
export const paymentEventId = z.string().regex(/^[A-Za-z0-9_.:-]{1,200}$/, "letters, digits, _ . : - only (max 200)");
export const currencyCode = z
  .string()
  .regex(/^[A-Za-z]{3}$/, "ISO 4217 code")
  .transform((code) => code.toUpperCase());
const shortText = z.string().trim().min(1).max(200);

export const lineItem = z.object({
  description: shortText,
  quantity: z.number().int().positive().max(10_000),
  /** Line total, minor units. */
  amountCents: z.number().int().nonnegative(),
});

const customer = {
  userId: shortText,
  email: z.email(),
  name: shortText.optional(),
};

const purchaseCompletedEvent = z.object({
  id: paymentEventId,
  type: z.literal("purchase.completed"),
  created: z.number().int().positive(),
  data: z.object({
    purchaseId: shortText,
    ...customer,
    amountCents: z.number().int().nonnegative(),
    currency: currencyCode,
    items: z.array(lineItem).max(100).default([]),
  }),
});

const refundCreatedEvent = z.object({
  id: paymentEventId,
  type: z.literal("refund.created"),
  created: z.number().int().positive(),
  data: z.object({
    refundId: shortText,
    purchaseId: shortText,
    ...customer,
    amountCents: z.number().int().positive(),
    currency: currencyCode,
    reason: z.string().trim().max(500).optional(),
  }),
});

export const HANDLED_EVENT_TYPES = ["purchase.completed", "refund.created"] as const;
export const paymentEvent = z.discriminatedUnion("type", [purchaseCompletedEvent, refundCreatedEvent]);
export type PaymentEvent = z.output<typeof paymentEvent>;

/** Just enough to route an event: its id and type. */
export const eventEnvelope = z.object({ id: paymentEventId, type: z.string().min(1).max(100) });
