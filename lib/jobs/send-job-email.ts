import { recordEmail } from "../email-log/store";
import type { JobContext } from "../job-runtime";
import type { JobDeps } from "./context";
import type { RenderedEmail } from "../email/templates/render";
import { toJobError } from "../email/send";

export interface JobEmail {
  /** The job sending it (for the log and a Resend tag). */
  job: string;
  userId: string;
  to: string;
  rendered: RenderedEmail;
}

/**
 * Sends a job's email with the job's idempotency key and writes the outcome to
 * the user's email log, then throws the mapped error on failure so QStash retries
 * (or dead-letters) the job. Returns Resend's email id.
 */
export async function sendJobEmail(
  context: JobContext & Pick<JobDeps, "email" | "redis" | "clock">,
  email: JobEmail,
): Promise<string> {
  const result = await context.email.send(
    {
      to: email.to,
      ...email.rendered,
      idempotencyKey: context.idempotencyKey,
      tags: [{ name: "job", value: email.job }],
    },
    { signal: context.signal },
  );
  const base = {
    key: context.idempotencyKey,
    job: email.job,
    userId: email.userId,
    to: email.to,
    subject: email.rendered.subject,
    attempts: context.retried + 1,
    messageId: context.messageId,
  };
  if (result.ok) {
    await recordEmail(await context.redis(), { ...base, status: "sent", resendId: result.id }, context.clock.now());
    return result.id;
  }
  const error = toJobError(result.error);
  await recordEmail(await context.redis(), { ...base, status: "failed", lastError: error.message }, context.clock.now());
  throw error;
}
