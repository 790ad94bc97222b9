import * as z from "zod/mini";
import { durableQueue } from "../jobs/outbox";
import { signInNotification } from "../jobs/sign-in-notification";
import { randomHex } from "../orgs/store";
import type { Services } from "../deps";
import { createSession } from "../sessions";
import { authenticate, type User } from "../users/store";
import { createSignInLimiter, tooManyAttemptsMessage, type SignInLimiter } from "../auth/signin-limit";
import { log, type OutboxEntry } from "../job-runtime";

const signInSchema = z.object({
  email: z.string().check(z.trim(), z.minLength(1, "Enter your email address"), z.maxLength(254)),
  password: z.string().check(z.minLength(1, "Enter your password"), z.maxLength(200)),
});

export type SignInResult =
  | {
      ok: true;
      user: User;
      sessionToken: string;
      eventId: string;
      /** Null while the notification waits in the outbox (QStash unreachable; sign-in still succeeds). */
      notificationMessageId: string | null;
    }
  | { ok: false; error: string /** Set when refused by the attempt limits. */; retryAfterMs?: number };

/** `sie_` + 128 random bits in hex. */
export function newSignInEventId(): string {
  return `sie_${randomHex(16)}`;
}

/**
 * Checks the password, then opens a session and records the sign-in
 * notification in the outbox in one transaction, keyed by a fresh sign-in event
 * id so QStash redeliveries send one email, and publishes it. A QStash outage
 * never locks anyone out, and never loses the notice of a sign-in.
 */
export async function signIn(
  services: Services,
  input: { email: unknown; password: unknown; ip: string | null; userAgent: string | null },
  limiter: SignInLimiter = createSignInLimiter(services.redis),
): Promise<SignInResult> {
  const parsed = signInSchema.safeParse({ email: input.email, password: input.password });
  if (!parsed.success) return { ok: false, error: parsed.error.issues[0]?.message ?? "Enter your email and password" };
  // Counted before the password is checked; over the limit, the password is not checked at all.
  const gate = await limiter.attempt({ email: parsed.data.email, ip: input.ip }, services.clock.now());
  if (!gate.allowed) {
    log.warn("sign_in_throttled", { ip: input.ip });
    return { ok: false, error: tooManyAttemptsMessage(gate.retryAfterMs), retryAfterMs: gate.retryAfterMs };
  }
  const user = await authenticate(services.redis, parsed.data.email, parsed.data.password);
  // One message for both cases, so the form doesn't reveal which addresses have accounts.
  if (!user) return { ok: false, error: "That email and password don't match an account." };
  await limiter.succeeded(parsed.data.email);

  const eventId = newSignInEventId();
  const queue = durableQueue(services);
  let notice: OutboxEntry | undefined;
  try {
    notice = queue.prepare(signInNotification, {
      eventId,
      userId: user.id,
      signedInAt: services.clock.now(),
      ip: input.ip,
      userAgent: input.userAgent,
    });
  } catch (error) {
    // Only a caller passing what the client-info readers never return gets here; the sign-in itself is good.
    log.error("sign_in_notification_invalid", { job: "sign-in-notification", userId: user.id, eventId, error });
  }
  const sessionToken = await createSession(services.redis, user.id, notice);
  const { published } = await queue.publish(notice ? [notice] : []);
  const notificationMessageId = published[0]?.messageId ?? null;
  return { ok: true, user, sessionToken, eventId, notificationMessageId };
}
