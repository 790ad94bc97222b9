import { z } from "zod";
import { sendJobEmail } from "./send-job-email";
import { reminderEmail } from "../email/templates/reminder";
import { getEvent, markReminded } from "../events/store";
import { getUser } from "../users/store";
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
    eventId: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/),
    /** The event version this reminder was published for. */
    version: z.number().int().positive(),
    /** The start time it was published for, Unix epoch ms. */
    startsAt: z.number().int().positive(),
  }),
  retries: 3,
  retryDelay: "pow(2, retried) * 1000",
  pace: EMAIL_PACE,
  // One reminder per event version: a move publishes a new version, a redelivery does not.
  idempotencyKey: (payload) => `${payload.eventId}/v${payload.version}`,
  async handler(payload, context) {
    const event = await getEvent(context.redis, payload.eventId);
    if (!event) return { skipped: "missing" };
    if (event.status === "cancelled") return { skipped: "cancelled" };
    if (event.version !== payload.version || event.startsAt !== payload.startsAt) return { skipped: "moved" };
    if (event.startsAt <= context.clock.now()) return { skipped: "started" };
    const user = await getUser(context.redis, event.userId);
    if (!user) return { skipped: "no-user" };
    const rendered = await reminderEmail({
      name: user.name,
      title: event.title,
      startsAt: event.startsAt,
      timeZone: user.timeZone,
      appUrl: context.appUrl,
    });
    const emailId = await sendJobEmail(context, { job: "event-reminder", userId: user.id, to: user.email, rendered });
    await markReminded(context.redis, { eventId: event.id, version: event.version, nowMs: context.clock.now() });
    return { emailId };
  },
});
