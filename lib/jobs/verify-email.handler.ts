import { defineHandler } from "../job-runtime";
import { sendJobEmail } from "./send-job-email";
import { verifyEmail as renderVerifyEmail } from "../email/templates/verify-email";
import { verificationLinkIsCurrent } from "../users/email-verification";
import { verifyEmailJob } from "./verify-email";

export default defineHandler(verifyEmailJob, async (payload, context) => {
  if (payload.kind === "verify" && !(await verificationLinkIsCurrent(await context.redis(), payload.userId, payload.verifyUrl))) {
    // Verified meanwhile, or a newer link was sent: this one would not work.
    return { skipped: "link no longer current" };
  }
  const rendered = await renderVerifyEmail(payload);
  const emailId = await sendJobEmail(context, { job: "verify-email", userId: payload.userId, to: payload.email, rendered });
  return { emailId };
});
