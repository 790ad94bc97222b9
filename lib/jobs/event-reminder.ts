import * as z from "zod/mini";
import { EMAIL_PACE } from "../email/pace";
import { defineJob } from "./context";

/**
 * Emails "starts in 1 hour", published with notBefore = start − 1 h. Moves and
 * cancels withdraw the message, but a delivery can already be in flight, so the
 * handler re-reads the event and skips (200, no email) anything that changed.
 */
export const eventReminder = defineJob({
  name: "event-reminder",
  schema: z.object({
    eventId: z.string().check(z.regex(/^[A-Za-z0-9_-]{1,100}$/)),
    /** The event version this reminder was published for. */
    version: z.int().check(z.positive()),
    /** The start time it was published for, Unix epoch ms. */
    startsAt: z.int().check(z.positive()),
  }),
  retries: 3,
  retryDelay: "pow(2, retried) * 1000",
  pace: EMAIL_PACE,
  // One reminder per event version: a move publishes a new version, a redelivery does not.
  idempotencyKey: (payload) => `${payload.eventId}/v${payload.version}`,
});
