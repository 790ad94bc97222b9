import { z } from "zod";
import { createRedisNotificationLimiter, type NotificationLimiter } from "../auth/notification-limit";
import { sendJobEmail } from "./send-job-email";
import { signInNotificationEmail } from "../email/templates/sign-in-notification";
import { NonRetryableError } from "../job-runtime";
import type { JobDeps } from "./context";
import { getUser, type User } from "../users/store";
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

export interface SignInNotificationDeps {
  loadUser(jobDeps: JobDeps, userId: string): Promise<User | null>;
  limiter(jobDeps: JobDeps): NotificationLimiter;
}

/** What a rate-limited run returns: a success, so QStash neither retries nor dead-letters it. */
const RATE_LIMITED = { skipped: "rate limited" } as const;

export function createSignInNotificationJob(deps: Partial<SignInNotificationDeps> = {}) {
  const loadUser = deps.loadUser ?? ((jobDeps, userId) => getUser(jobDeps.redis, userId));
  const limiter = deps.limiter ?? ((jobDeps) => createRedisNotificationLimiter(jobDeps.redis));
  return defineJob({
    name: "sign-in-notification",
    schema: signInNotificationSchema,
    retries: 3,
    retryDelay: "pow(2, retried) * 1000",
    pace: EMAIL_PACE,
    // One email per sign-in, however often the message is delivered.
    idempotencyKey: (payload) => payload.eventId,
    async handler(payload, context) {
      const user = await loadUser(context, payload.userId);
      if (!user) throw new NonRetryableError(`unknown user ${payload.userId}`);
      // A burst of sign-ins (a script, a shared password) must not flood the inbox: the rest are skipped, not failed.
      const decision = await limiter(context).check(user.id, payload.eventId);
      if (!decision.allowed) return { ...RATE_LIMITED, resetAt: decision.resetAt };
      const rendered = await signInNotificationEmail({
        name: user.name,
        locale: user.locale,
        timeZone: user.timeZone,
        signedInAt: payload.signedInAt,
        ip: payload.ip,
        userAgent: payload.userAgent,
        appUrl: context.appUrl,
      });
      const emailId = await sendJobEmail(context, { job: "sign-in-notification", userId: user.id, to: user.email, rendered });
      return { emailId, locale: user.locale };
    },
  });
}

/** Tells a user about each sign-in to their account, at most 10 an hour. */
export const signInNotification = createSignInNotificationJob();
