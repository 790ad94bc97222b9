import { z } from "zod";
import { isTimeZone } from "../events/time";
import { welcomeEmail } from "../jobs/welcome-email";
import { createSession } from "../sessions";
import type { Services } from "../deps";
import { createUser, deleteUser, LOCALES, type User } from "../users/store";
import { log } from "../job-runtime";

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
  | { ok: true; user: User; sessionToken: string; welcomeMessageId: string }
  | { ok: false; fieldErrors: Partial<Record<keyof z.input<typeof signupSchema> | "form", string>> };

/**
 * Creates the account and hands the welcome email to QStash. Signup never
 * waits on Resend: if Resend is down, the job retries later and signup is unaffected.
 */
export async function signUp(services: Services, input: unknown): Promise<SignupResult> {
  const parsed = signupSchema.safeParse(input);
  if (!parsed.success) {
    const fieldErrors: Record<string, string> = {};
    for (const issue of parsed.error.issues) fieldErrors[String(issue.path[0] ?? "form")] ??= issue.message;
    return { ok: false, fieldErrors };
  }
  const created = await createUser(services.redis, parsed.data, services.clock.now());
  if (!created.ok) return { ok: false, fieldErrors: { email: "An account with this email already exists" } };
  const { user } = created;
  let welcomeMessageId: string;
  try {
    ({ messageId: welcomeMessageId } = await services.queue.enqueue(welcomeEmail, {
      userId: user.id,
      email: user.email,
      name: user.name,
    }));
  } catch (error) {
    // Without the job the user would never hear from us; undo so they can simply try again.
    await deleteUser(services.redis, user);
    log.error("welcome_email_not_queued", { job: "welcome-email", error });
    return { ok: false, fieldErrors: { form: "We couldn't create your account right now. Please try again." } };
  }
  const sessionToken = await createSession(services.redis, user.id);
  return { ok: true, user, sessionToken, welcomeMessageId };
}
