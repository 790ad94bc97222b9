import * as z from "zod/mini";
import { EMAIL_PACE } from "../email/pace";
import { defineJob } from "./context";

/** A same-site path (not `//host`) or an absolute https URL. */
const link = z.string().check(
  z.maxLength(2000),
  z.refine(
    (value) => (value.startsWith("/") && !value.startsWith("//") && !value.startsWith("/\\")) || /^https:\/\/[^\s]+$/.test(value),
    {
      message: "a same-site path or an https URL",
    },
  ),
);

/** Stores an in-app notification and, unless told not to, emails it too. */
export const notification = defineJob({
  name: "notification",
  schema: z.object({
    notificationId: z.string().check(z.regex(/^[A-Za-z0-9_-]{1,100}$/)),
    userId: z.string().check(z.minLength(1), z.maxLength(200)),
    email: z.email(),
    name: z.string().check(z.minLength(1), z.maxLength(200)),
    title: z.string().check(z.trim(), z.minLength(1), z.maxLength(200)),
    body: z.string().check(z.trim(), z.minLength(1), z.maxLength(5000)),
    link: z.optional(link),
    sendEmail: z._default(z.boolean(), true),
  }),
  retries: 3,
  retryDelay: "pow(2, retried) * 1000",
  pace: EMAIL_PACE,
  idempotencyKey: (payload) => payload.notificationId,
});
