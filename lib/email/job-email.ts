import { recordEmail } from "../email-log/store";
import type { JobContext } from "../jobs/define-job";
import type { RenderedEmail } from "./templates/html";
import { toJobError } from "./send";

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
export async function sendJobEmail(context: JobContext, email: JobEmail): Promise<string> {
  const { services } = context;
  const result = await services.email.send(
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
    await recordEmail(services.redis, { ...base, status: "sent", resendId: result.id }, services.clock.now());
    return result.id;
  }
  const error = toJobError(result.error);
  await recordEmail(services.redis, { ...base, status: "failed", lastError: error.message }, services.clock.now());
  throw error;
}
