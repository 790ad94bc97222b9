import { EMAIL_LOG_LIMIT, listEmailLog, recordEmail } from "../email-log/store";
import type { Clock, FinalFailure, Redis } from "../job-runtime";

/** What the follow-up needs from the app. */
export interface FailureFollowUpDeps {
  redis: Redis;
  clock: Clock;
  /**
   * Tells the operator (ADMIN_EMAIL): the app publishes a paced alert job, so the alert
   * shares Resend's pace with every other email. Absent: nobody is alerted.
   */
  alertAdmin?(failure: FinalFailure): Promise<void>;
}

/**
 * What happens once a message is dead for good, beyond the run record:
 *
 * 1. The user's email log: a job that was sending this user an email gets its
 *    entry marked failed with the final reason, so support sees "never sent"
 *    instead of a stale "retrying". An entry already marked sent is left alone.
 * 2. One alert to ADMIN_EMAIL per message: published as its own paced job,
 *    deduplicated by the message id, so a retried callback can't alert twice.
 *
 * Throws when the alert could not be published; the callback route then answers
 * 503 and QStash calls it again.
 */
export function createFailureFollowUp(deps: FailureFollowUpDeps) {
  return async function followUp(failure: FinalFailure): Promise<void> {
    await markEmailLogFailed(failure, deps);
    await deps.alertAdmin?.(failure);
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
