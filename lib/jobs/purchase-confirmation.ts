import * as z from "zod/mini";
import { currencyCode, lineItem, paymentEventId } from "../payments/events";
import { EMAIL_PACE } from "../email/pace";
import { defineJob } from "./context";

/** Receipt for a completed purchase, published by the payments webhook. */
export const purchaseConfirmation = defineJob({
  name: "purchase-confirmation",
  schema: z.object({
    /** The provider's event id: one receipt per event, however often the webhook arrives. */
    eventId: paymentEventId,
    purchaseId: z.string().check(z.minLength(1), z.maxLength(200)),
    userId: z.string().check(z.minLength(1), z.maxLength(200)),
    email: z.email(),
    name: z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
    amountCents: z.int().check(z.nonnegative()),
    currency: currencyCode,
    items: z._default(z.array(lineItem).check(z.maxLength(100)), []),
    /** Unix epoch ms. */
    purchasedAt: z.int().check(z.positive()),
  }),
  retries: 3,
  // 1 s, 2 s, 4 s: Resend hiccups clear quickly; a longer outage ends in the DLQ and the re-drive.
  retryDelay: "pow(2, retried) * 1000",
  pace: EMAIL_PACE,
  idempotencyKey: (payload) => payload.eventId,
});
