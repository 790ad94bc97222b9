import { z } from "zod";
import { sendJobEmail } from "./send-job-email";
import { welcomeEmail as renderWelcome } from "../email/templates/welcome";
import { EMAIL_PACE } from "../email/pace";
import { defineJob } from "./context";

/** Sent once per user after signup, out of the request path so signup never waits on Resend. */
export const welcomeEmail = defineJob({
  name: "welcome-email",
  schema: z.object({
    userId: z.string().min(1),
    email: z.email(),
    name: z.string().min(1).max(200),
  }),
  retries: 3,
  retryDelay: "pow(2, retried) * 1000",
  pace: EMAIL_PACE,
  // One welcome per user, however many times signup publishes it.
  idempotencyKey: (payload) => payload.userId,
  async handler(payload, context) {
    const rendered = await renderWelcome({ name: payload.name, appUrl: context.appUrl });
    const emailId = await sendJobEmail(context, { job: "welcome-email", userId: payload.userId, to: payload.email, rendered });
    return { emailId };
  },
});
