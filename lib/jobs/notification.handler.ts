import { defineHandler } from "../job-runtime";
import { sendJobEmail } from "./send-job-email";
import { notificationEmail } from "../email/templates/notification";
import { addNotification } from "../notifications/store";
import { notification } from "./notification";

export default defineHandler(notification, async (payload, context) => {
  // Stored first: a failing email retries the job, and the insert is a no-op the second time.
  const stored = await addNotification(await context.redis(), {
    id: payload.notificationId,
    userId: payload.userId,
    title: payload.title,
    body: payload.body,
    ...(payload.link !== undefined && { link: payload.link }),
    createdAt: context.clock.now(),
  });
  if (!payload.sendEmail) return { stored, emailed: false };
  const url =
    payload.link === undefined ? undefined : payload.link.startsWith("/") ? `${context.appUrl}${payload.link}` : payload.link;
  const rendered = await notificationEmail({
    name: payload.name,
    title: payload.title,
    body: payload.body,
    url,
    appUrl: context.appUrl,
  });
  const emailId = await sendJobEmail(context, { job: "notification", userId: payload.userId, to: payload.email, rendered });
  return { stored, emailed: true, emailId };
});
