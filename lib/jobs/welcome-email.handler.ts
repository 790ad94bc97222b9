import { defineHandler } from "../job-runtime";
import { welcomeEmail as renderWelcome } from "../email/templates/welcome";
import { sendJobEmail } from "./send-job-email";
import { welcomeEmail } from "./welcome-email";

export default defineHandler(welcomeEmail, async (payload, context) => {
  const rendered = await renderWelcome({ name: payload.name, appUrl: context.appUrl });
  const emailId = await sendJobEmail(context, { job: "welcome-email", userId: payload.userId, to: payload.email, rendered });
  return { emailId };
});
