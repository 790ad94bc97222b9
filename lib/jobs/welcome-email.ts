import { z } from "zod";
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
});
