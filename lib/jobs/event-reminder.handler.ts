import { defineHandler } from "../job-runtime";
import { sendJobEmail } from "./send-job-email";
import { reminderEmail } from "../email/templates/reminder";
import { getEvent, markReminded } from "../events/store";
import { getUser } from "../users/store";
import { eventReminder } from "./event-reminder";

export default defineHandler(eventReminder, async (payload, context) => {
  const redis = await context.redis();
  const event = await getEvent(redis, payload.eventId);
  if (!event) return { skipped: "missing" };
  if (event.status === "cancelled") return { skipped: "cancelled" };
  if (event.version !== payload.version || event.startsAt !== payload.startsAt) return { skipped: "moved" };
  if (event.startsAt <= context.clock.now()) return { skipped: "started" };
  const user = await getUser(redis, event.userId);
  if (!user) return { skipped: "no-user" };
  const rendered = await reminderEmail({
    name: user.name,
    title: event.title,
    startsAt: event.startsAt,
    timeZone: user.timeZone,
    appUrl: context.appUrl,
  });
  const emailId = await sendJobEmail(context, { job: "event-reminder", userId: user.id, to: user.email, rendered });
  await markReminded(redis, { eventId: event.id, version: event.version, nowMs: context.clock.now() });
  return { emailId };
});
