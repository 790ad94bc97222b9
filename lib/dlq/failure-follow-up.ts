import { EMAIL_LOG_LIMIT, listEmailLog, recordEmail } from "../email-log/store";
import { type EmailSender, toJobError } from "../email/send";
import { type Clock, RetryableError, type FinalFailure, log, type Redis } from "../job-runtime";
import { dlqAlertEmail } from "./alert-email";

/** What the follow-up needs from the app. */
export interface FailureFollowUpDeps {
  redis: Redis;
  email: EmailSender;
  clock: Clock;
  appUrl: string;
  adminEmail?: string;
}

/**
 * What happens once a message is dead for good, beyond the run record:
 *
 * 1. The user's email log: a job that was sending this user an email gets its
 *    entry marked failed with the final reason, so support sees "never sent"
 *    instead of a stale "retrying". An entry already marked sent is left alone.
 * 2. One email to ADMIN_EMAIL per message, with a Resend idempotency key, so a
 *    retried callback can't alert twice.
 *
 * Throws a RetryableError when the alert could not be sent for a reason that may
 * pass; the callback route then answers 503 and QStash calls it again.
 */
export function createFailureFollowUp(deps: FailureFollowUpDeps) {
  return async function followUp(failure: FinalFailure): Promise<void> {
    await markEmailLogFailed(failure, deps);
    await alertAdmin(failure, deps);
  };
}

async function markEmailLogFailed(failure: FinalFailure, deps: FailureFollowUpDeps) {
  const fields =
    typeof failure.payload === "object" && failure.payload !== null ? (failure.payload as Record<string, unknown>) : {};
  const userId = typeof fields.userId === "string" && fields.userId !== "" ? fields.userId : undefined;
  if (!userId) return;

  // The run record holds the key the handler logged its email under, so the entry is found without re-parsing the payload.
  const key = failure.idempotencyKey;
  const existing = (await listEmailLog(deps.redis, userId, EMAIL_LOG_LIMIT)).find((entry) => entry.key === key);
  // An email that went out stays "sent", whatever failed after it.
  if (existing?.status === "sent") return;
  const to = existing?.to ?? (typeof fields.email === "string" ? fields.email : undefined);
  // Neither an earlier attempt nor the payload says this job emails anyone: nothing to record.
  if (!to) return;
  await recordEmail(
    deps.redis,
    {
      key,
      job: failure.jobName,
      userId,
      to,
      subject: existing?.subject ?? `(${failure.jobName} email not sent)`,
      status: "failed",
      attempts: Math.max(existing?.attempts ?? 0, failure.retried + 1),
      messageId: failure.messageId,
      lastError: `gave up after HTTP ${failure.status}: ${failure.reason}`.slice(0, 2000),
      ...(existing?.resendId && { resendId: existing.resendId }),
    },
    deps.clock.now(),
  );
}

async function alertAdmin(failure: FinalFailure, deps: FailureFollowUpDeps) {
  const to = deps.adminEmail;
  if (!to) return;
  const rendered = await dlqAlertEmail(failure, deps.appUrl);
  const result = await deps.email.send({
    to,
    ...rendered,
    idempotencyKey: `dlq-alert/${failure.messageId}`,
    tags: [
      { name: "kind", value: "dlq-alert" },
      { name: "job", value: failure.jobName.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 256) || "unknown" },
    ],
  });
  if (result.ok) return;
  const error = toJobError(result.error);
  if (error instanceof RetryableError)
    throw new RetryableError(`DLQ alert not sent: ${error.message}`, error.retryAfterSeconds, { cause: error });
  // A rejected address or domain won't pass on retry; say so loudly and let the callback succeed.
  log.error("dlq_alert_rejected", { job: failure.jobName, messageId: failure.messageId, error: error.message });
}
