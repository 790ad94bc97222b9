import { createRedisNotificationLimiter, type NotificationLimiter } from "../auth/notification-limit";
import { signInNotificationEmail } from "../email/templates/sign-in-notification";
import { defineHandler, NonRetryableError } from "../job-runtime";
import { getUser, type User } from "../users/store";
import type { JobDeps } from "./context";
import { sendJobEmail } from "./send-job-email";
import { signInNotification } from "./sign-in-notification";

export interface SignInNotificationDeps {
  loadUser(jobDeps: JobDeps, userId: string): Promise<User | null>;
  limiter(jobDeps: JobDeps): Promise<NotificationLimiter>;
}

/** What a rate-limited run returns: a success, so QStash neither retries nor dead-letters it. */
const RATE_LIMITED = { skipped: "rate limited" } as const;

/** The handler, with its user lookup and limiter replaceable in tests. */
export function createSignInNotificationHandler(deps: Partial<SignInNotificationDeps> = {}) {
  const loadUser = deps.loadUser ?? (async (jobDeps, userId) => getUser(await jobDeps.redis(), userId));
  const limiter = deps.limiter ?? (async (jobDeps) => createRedisNotificationLimiter(await jobDeps.redis()));
  return defineHandler(signInNotification, async (payload, context) => {
    const user = await loadUser(context, payload.userId);
    if (!user) throw new NonRetryableError(`unknown user ${payload.userId}`);
    // A burst of sign-ins (a script, a shared password) must not flood the inbox: the rest are skipped, not failed.
    const decision = await (await limiter(context)).check(user.id, payload.eventId);
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
  });
}

export default createSignInNotificationHandler();
