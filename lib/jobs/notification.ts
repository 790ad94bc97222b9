import { z } from "zod";
import { EMAIL_PACE } from "../email/pace";
import { defineJob } from "./context";

/** A same-site path (not `//host`) or an absolute https URL. */
const link = z
  .string()
  .max(2000)
  .refine(
    (value) => (value.startsWith("/") && !value.startsWith("//") && !value.startsWith("/\\")) || /^https:\/\/[^\s]+$/.test(value),
    {
      message: "a same-site path or an https URL",
    },
  );

/** Stores an in-app notification and, unless told not to, emails it too. */
export const notification = defineJob({
  name: "notification",
  schema: z.object({
    notificationId: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/),
    userId: z.string().min(1).max(200),
    email: z.email(),
    name: z.string().min(1).max(200),
    title: z.string().trim().min(1).max(200),
    body: z.string().trim().min(1).max(5000),
    link: link.optional(),
    sendEmail: z.boolean().default(true),
  }),
  retries: 3,
  retryDelay: "pow(2, retried) * 1000",
  pace: EMAIL_PACE,
  idempotencyKey: (payload) => payload.notificationId,
});
