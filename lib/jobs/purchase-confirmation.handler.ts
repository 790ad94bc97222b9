import { defineHandler } from "../job-runtime";
import { sendJobEmail } from "./send-job-email";
import { purchaseConfirmationEmail } from "../email/templates/purchase-confirmation";
import { purchaseConfirmation } from "./purchase-confirmation";

export default defineHandler(purchaseConfirmation, async (payload, context) => {
  const rendered = await purchaseConfirmationEmail({ ...payload, appUrl: context.appUrl });
  const emailId = await sendJobEmail(context, {
    job: "purchase-confirmation",
    userId: payload.userId,
    to: payload.email,
    rendered,
  });
  return { emailId };
});
