import * as z from "zod/mini";
import { EMAIL_PACE } from "../email/pace";
import { defineJob } from "./context";

export const SIGN_IN_EVENT_ID = /^sie_[a-f0-9]{32}$/;

export const signInNotificationSchema = z.object({
  /** One id per successful sign-in; the job's idempotency key. */
  eventId: z.string().check(z.regex(SIGN_IN_EVENT_ID)),
  userId: z.string().check(z.minLength(1), z.maxLength(100)),
  /** Unix epoch ms of the sign-in. */
  signedInAt: z.int().check(z.positive()),
  ip: z.nullable(z.string().check(z.maxLength(64))),
  userAgent: z.nullable(z.string().check(z.maxLength(512))),
});

export type SignInNotificationPayload = z.output<typeof signInNotificationSchema>;

/** Tells a user about each sign-in to their account, at most 10 an hour. Handler: ./sign-in-notification.handler.ts. */
export const signInNotification = defineJob({
  name: "sign-in-notification",
  schema: signInNotificationSchema,
  retries: 3,
  retryDelay: "pow(2, retried) * 1000",
  pace: EMAIL_PACE,
  // One email per sign-in, however often the message is delivered.
  idempotencyKey: (payload) => payload.eventId,
});
