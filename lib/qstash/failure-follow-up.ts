import { dlqAlertEmail } from "../dlq/alert-email";
import { listEmailLog, EMAIL_LOG_LIMIT, recordEmail } from "../email-log/store";
import { toJobError } from "../email/send";
import { RetryableError } from "../errors";
import type { JobDefinition } from "../jobs/define-job";
import type { Services } from "../services";
import type { FinalFailure } from "./failure-callback";

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
export function createFailureFollowUp(options: { registry: Readonly<Record<string, JobDefinition>> }) {
  return async function followUp(failure: FinalFailure, services: Services): Promise<void> {
    await markEmailLogFailed(failure, services, options.registry);
    await alertAdmin(failure, services);
  };
}

/** The key the job's run used: `${jobName}/${job.idempotencyKey(payload) ?? messageId}`, as lib/jobs/handle-request.ts derives it. */
export function runIdempotencyKey(failure: FinalFailure, job: JobDefinition | undefined): { key: string; payload: unknown } {
  if (!job) return { key: `${failure.jobName}/${failure.messageId}`, payload: failure.payload };
  const parsed = job.schema.safeParse(failure.payload);
  if (!parsed.success) return { key: `${failure.jobName}/${failure.messageId}`, payload: failure.payload };
  const key = job.idempotencyKey ? job.idempotencyKey(parsed.data) : failure.messageId;
  return { key: `${failure.jobName}/${key}`, payload: parsed.data };
}

async function markEmailLogFailed(failure: FinalFailure, services: Services, registry: Readonly<Record<string, JobDefinition>>) {
  const job = Object.hasOwn(registry, failure.jobName) ? registry[failure.jobName] : undefined;
  const { key, payload } = runIdempotencyKey(failure, job);
  const fields = typeof payload === "object" && payload !== null ? (payload as Record<string, unknown>) : {};
  const userId = typeof fields.userId === "string" && fields.userId !== "" ? fields.userId : undefined;
  if (!userId) return;

  const existing = (await listEmailLog(services.redis, userId, EMAIL_LOG_LIMIT)).find((entry) => entry.key === key);
  // An email that went out stays "sent", whatever failed after it.
  if (existing?.status === "sent") return;
  const to = existing?.to ?? (typeof fields.email === "string" ? fields.email : undefined);
  // Neither an earlier attempt nor the payload says this job emails anyone: nothing to record.
  if (!to) return;
  await recordEmail(
    services.redis,
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
    services.clock.now(),
  );
}

async function alertAdmin(failure: FinalFailure, services: Services) {
  const to = services.env.ADMIN_EMAIL;
  if (!to) return;
  const rendered = dlqAlertEmail(failure, services.env.APP_URL);
  const result = await services.email.send({
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
  if (error instanceof RetryableError) throw new RetryableError(`DLQ alert not sent: ${error.message}`, error.retryAfterSeconds, { cause: error });
  // A rejected address or domain won't pass on retry; say so loudly and let the callback succeed.
  console.error(JSON.stringify({ level: "error", event: "dlq_alert_rejected", messageId: failure.messageId, error: error.message }));
}
