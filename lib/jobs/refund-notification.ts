import * as z from "zod/mini";
import { currencyCode, paymentEventId } from "../payments/events";
import { EMAIL_PACE } from "../email/pace";
import { defineJob } from "./context";

/** Tells the customer a refund was issued, published by the payments webhook. */
export const refundNotification = defineJob({
  name: "refund-notification",
  schema: z.object({
    eventId: paymentEventId,
    refundId: z.string().check(z.minLength(1), z.maxLength(200)),
    purchaseId: z.string().check(z.minLength(1), z.maxLength(200)),
    userId: z.string().check(z.minLength(1), z.maxLength(200)),
    email: z.email(),
    name: z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
    amountCents: z.int().check(z.positive()),
    currency: currencyCode,
    reason: z.optional(z.string().check(z.maxLength(500))),
    /** Unix epoch ms. */
    refundedAt: z.int().check(z.positive()),
  }),
  retries: 3,
  retryDelay: "pow(2, retried) * 1000",
  pace: EMAIL_PACE,
  idempotencyKey: (payload) => payload.eventId,
});
