import { z } from "zod";
import { EMAIL_PACE } from "../email/pace";
import { defineJob } from "./context";

export const SIGN_IN_EVENT_ID = /^sie_[a-f0-9]{32}$/;

export const signInNotificationSchema = z.object({
  /** One id per successful sign-in; the job's idempotency key. */
  eventId: z.string().regex(SIGN_IN_EVENT_ID),
  userId: z.string().min(1).max(100),
  /** Unix epoch ms of the sign-in. */
  signedInAt: z.number().int().positive(),
  ip: z.string().max(64).nullable(),
  userAgent: z.string().max(512).nullable(),
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
