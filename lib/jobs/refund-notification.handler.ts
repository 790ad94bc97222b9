import { defineHandler } from "../job-runtime";
import { sendJobEmail } from "./send-job-email";
import { refundNotificationEmail } from "../email/templates/refund-notification";
import { refundNotification } from "./refund-notification";

export default defineHandler(refundNotification, async (payload, context) => {
  const rendered = await refundNotificationEmail(payload);
  const emailId = await sendJobEmail(context, {
    job: "refund-notification",
    userId: payload.userId,
    to: payload.email,
    rendered,
  });
  return { emailId };
});
