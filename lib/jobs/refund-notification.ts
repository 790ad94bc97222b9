import { z } from "zod";
import { currencyCode, paymentEventId } from "../payments/events";
import { EMAIL_PACE } from "../email/pace";
import { defineJob } from "./context";

/** Tells the customer a refund was issued, published by the payments webhook. */
export const refundNotification = defineJob({
  name: "refund-notification",
  schema: z.object({
    eventId: paymentEventId,
    refundId: z.string().min(1).max(200),
    purchaseId: z.string().min(1).max(200),
    userId: z.string().min(1).max(200),
    email: z.email(),
    name: z.string().min(1).max(200).optional(),
    amountCents: z.number().int().positive(),
    currency: currencyCode,
    reason: z.string().max(500).optional(),
    /** Unix epoch ms. */
    refundedAt: z.number().int().positive(),
  }),
  retries: 3,
  retryDelay: "pow(2, retried) * 1000",
  pace: EMAIL_PACE,
  idempotencyKey: (payload) => payload.eventId,
});
