import { z } from "zod";
import { currencyCode, lineItem, paymentEventId } from "../payments/events";
import { EMAIL_PACE } from "../email/pace";
import { defineJob } from "./context";

/** Receipt for a completed purchase, published by the payments webhook. */
export const purchaseConfirmation = defineJob({
  name: "purchase-confirmation",
  schema: z.object({
    /** The provider's event id: one receipt per event, however often the webhook arrives. */
    eventId: paymentEventId,
    purchaseId: z.string().min(1).max(200),
    userId: z.string().min(1).max(200),
    email: z.email(),
    name: z.string().min(1).max(200).optional(),
    amountCents: z.number().int().nonnegative(),
    currency: currencyCode,
    items: z.array(lineItem).max(100).default([]),
    /** Unix epoch ms. */
    purchasedAt: z.number().int().positive(),
  }),
  retries: 3,
  // 1 s, 2 s, 4 s: Resend hiccups clear quickly; a longer outage ends in the DLQ and the re-drive.
  retryDelay: "pow(2, retried) * 1000",
  pace: EMAIL_PACE,
  idempotencyKey: (payload) => payload.eventId,
});
