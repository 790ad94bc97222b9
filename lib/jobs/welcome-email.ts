import * as z from "zod/mini";
import { EMAIL_PACE } from "../email/pace";
import { defineJob } from "./context";
import { recipientShape } from "./recipient";

/** Sent once per user after signup, out of the request path so signup never waits on Resend. */
export const welcomeEmail = defineJob({
  name: "welcome-email",
  schema: z.object(recipientShape),
  retries: 3,
  retryDelay: "pow(2, retried) * 1000",
  pace: EMAIL_PACE,
  // One welcome per user, however many times signup publishes it.
  idempotencyKey: (payload) => payload.userId,
});
