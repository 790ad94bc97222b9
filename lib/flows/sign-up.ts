import * as z from "zod/mini";
import { isTimeZone } from "../events/time";
import { welcomeEmail } from "../jobs/welcome-email";
import type { Services } from "../deps";
import { durableQueue } from "../jobs/outbox";
import { isVerified } from "../users/email-verification";
import { createUser, findUserIdByEmail, getUser, LOCALES, type User } from "../users/store";
import { sendAccountExistsNotice, sendVerificationLink } from "./verification-mail";

const signupSchema = z.object({
  name: z.string().check(z.trim(), z.minLength(1, "Enter your name"), z.maxLength(200)),
  email: z.email("Enter a valid email address").check(z.maxLength(254)),
  password: z.string().check(z.minLength(8, "Use at least 8 characters"), z.maxLength(200)),
  locale: z._default(z.enum(LOCALES), "en"),
  timeZone: z._default(z.string(), "UTC").check(z.refine((zone) => isTimeZone(zone), "Unknown time zone")),
});

/**
 * What happened, for the caller's logs and tests. The page answers both `ok`
 * outcomes identically ("check your inbox"), so sign-up never tells a stranger
 * whether an address has an account: the address's owner learns it by email.
 */
export type SignupResult =
  | {
      ok: true;
      outcome: "created";
      user: User;
      /** The welcome email's QStash message, or null while it waits in the outbox (QStash unreachable). */
      welcomeMessageId: string | null;
      verifyMessageId: string | null;
    }
  | { ok: true; outcome: "exists" }
  | { ok: false; fieldErrors: Partial<Record<keyof z.input<typeof signupSchema> | "form", string>> };

/**
 * Creates the account (unverified, not signed in) with its welcome-email job in
 * the outbox (same Redis script), publishes it, and queues the link that proves
 * the address. Signing in comes after, with the password, once the owner has
 * the link: a stranger who types someone else's address gets no session and
 * learns nothing.
 */
export async function signUp(services: Services, input: unknown, options: { next?: string } = {}): Promise<SignupResult> {
  const parsed = signupSchema.safeParse(input);
  if (!parsed.success) {
    const fieldErrors: Record<string, string> = {};
    for (const issue of parsed.error.issues) fieldErrors[String(issue.path[0] ?? "form")] ??= issue.message;
    return { ok: false, fieldErrors };
  }
  const queue = durableQueue(services);
  const created = await createUser(services.redis, parsed.data, services.clock.now(), (user) =>
    queue.prepare(welcomeEmail, { userId: user.id, email: user.email, name: user.name }),
  );
  if (!created.ok) {
    await tellExistingOwner(services, parsed.data.email, options.next);
    return { ok: true, outcome: "exists" };
  }
  const { user } = created;
  const { published } = await queue.publish(created.followUp ? [created.followUp] : []);
  let verifyMessageId: string | null = null;
  try {
    const sent = await sendVerificationLink(services, user, options);
    if (sent.state === "queued") verifyMessageId = sent.messageId;
  } catch (error) {
    // The account stands; its banner offers a new link after signing in.
    console.error(
      JSON.stringify({ level: "error", event: "verification_link_not_queued", userId: user.id, error: String(error) }),
    );
  }
  return { ok: true, outcome: "created", user, welcomeMessageId: published[0]?.messageId ?? null, verifyMessageId };
}

/** A sign-up for a registered address: the owner gets a fresh link (unverified) or a heads-up (verified). */
async function tellExistingOwner(services: Services, email: string, next: string | undefined): Promise<void> {
  try {
    const userId = await findUserIdByEmail(services.redis, email);
    const existing = userId ? await getUser(services.redis, userId) : null;
    if (!existing) return;
    if (isVerified(existing)) await sendAccountExistsNotice(services, existing);
    else await sendVerificationLink(services, existing, { ...(next && { next }) });
  } catch (error) {
    console.error(JSON.stringify({ level: "error", event: "existing_owner_not_told", error: String(error) }));
  }
}
