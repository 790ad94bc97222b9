import { z } from "zod";
import { isTimeZone } from "../events/time";
import { welcomeEmail } from "../jobs/welcome-email";
import { createSession } from "../sessions";
import type { Services } from "../deps";
import { durableQueue } from "../jobs/outbox";
import { createUser, LOCALES, type User } from "../users/store";

export const signupSchema = z.object({
  name: z.string().trim().min(1, "Enter your name").max(200),
  email: z.email("Enter a valid email address"),
  password: z.string().min(8, "Use at least 8 characters").max(200),
  locale: z.enum(LOCALES).default("en"),
  timeZone: z
    .string()
    .default("UTC")
    .refine((zone) => isTimeZone(zone), "Unknown time zone"),
});

export type SignupResult =
  | {
      ok: true;
      user: User;
      sessionToken: string;
      /** The welcome email's QStash message, or null while it waits in the outbox (QStash unreachable). */
      welcomeMessageId: string | null;
    }
  | { ok: false; fieldErrors: Partial<Record<keyof z.input<typeof signupSchema> | "form", string>> };

/**
 * Creates the account and, in the same Redis script, the welcome-email job in
 * the outbox; then publishes it. Signup never waits on Resend and never fails
 * because QStash is down: the job waits in the outbox and a sweep publishes it.
 */
export async function signUp(services: Services, input: unknown): Promise<SignupResult> {
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
  if (!created.ok) return { ok: false, fieldErrors: { email: "An account with this email already exists" } };
  const { user } = created;
  const { published } = await queue.publish(created.followUp ? [created.followUp] : []);
  const sessionToken = await createSession(services.redis, user.id);
  return { ok: true, user, sessionToken, welcomeMessageId: published[0]?.messageId ?? null };
}
