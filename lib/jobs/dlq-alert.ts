import * as z from "zod/mini";
import { EMAIL_PACE } from "../email/pace";
import { type FinalFailure, type JobQueue, log } from "../job-runtime";
import { defineJob } from "./context";

/** Longest payload text the alert job carries; the email shows less (its template's excerpt). */
const ALERT_PAYLOAD_CHARS = 2_000;

/**
 * Emails ADMIN_EMAIL that a message is dead. A job of its own, published by the failure
 * callback, so the alert takes the shared Resend pace like every other email: a burst of
 * dead messages must not push the app's other email over Resend's limit. Keyed by the dead
 * message, so Resend's Idempotency-Key is `dlq-alert/<messageId>` and an alert goes out once.
 */
export const dlqAlert = defineJob({
  name: "dlq-alert",
  schema: z.object({
    to: z.email(),
    messageId: z.string().check(z.minLength(1), z.maxLength(200)),
    dlqId: z.string().check(z.maxLength(200)),
    jobName: z.string().check(z.minLength(1), z.maxLength(200)),
    status: z.int(),
    reason: z.string().check(z.maxLength(2_000)),
    /** The dead message's payload as text (JSON, indented), cut to a bounded length. */
    payload: z.string().check(z.maxLength(ALERT_PAYLOAD_CHARS)),
    retried: z.int().check(z.gte(0)),
  }),
  retries: 3,
  retryDelay: "pow(2, retried) * 1000",
  pace: EMAIL_PACE,
  idempotencyKey: (payload) => payload.messageId,
});

/**
 * Publishes the alert for a dead message, once (deduplicated by the message id). An alert
 * that itself died is only logged: alerting about it would publish another alert, and so on.
 */
export async function publishDlqAlert(queue: JobQueue, failure: FinalFailure, to: string): Promise<void> {
  if (failure.jobName === dlqAlert.name) {
    log.error("dlq_alert_dead", { job: failure.jobName, messageId: failure.messageId, error: failure.reason });
    return;
  }
  const text =
    typeof failure.payload === "string" ? failure.payload : (JSON.stringify(failure.payload, null, 2) ?? String(failure.payload));
  await queue.enqueue(
    dlqAlert,
    {
      to,
      messageId: failure.messageId,
      dlqId: failure.dlqId,
      jobName: failure.jobName,
      status: failure.status,
      reason: failure.reason.slice(0, 2_000),
      payload: text.slice(0, ALERT_PAYLOAD_CHARS),
      retried: failure.retried,
    },
    { deduplicationId: `dlq-alert-${failure.messageId}` },
  );
}
