import { toJobError } from "../email/send";
import { defineHandler, log, RetryableError } from "../job-runtime";
import { dlqAlertEmail } from "../dlq/alert-email";
import { dlqAlert } from "./dlq-alert";

export default defineHandler(dlqAlert, async (payload, context) => {
  const { to, ...failure } = payload;
  const rendered = await dlqAlertEmail(failure, context.appUrl);
  const result = await context.email.send(
    {
      to,
      ...rendered,
      idempotencyKey: context.idempotencyKey,
      tags: [
        { name: "kind", value: "dlq-alert" },
        { name: "job", value: failure.jobName.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 256) || "unknown" },
      ],
    },
    { signal: context.signal },
  );
  if (result.ok) return { emailId: result.id };
  const error = toJobError(result.error);
  if (error instanceof RetryableError) throw error;
  // A rejected address or domain won't pass on retry; say so loudly and finish, rather than dead-letter an alert.
  log.error("dlq_alert_rejected", { job: failure.jobName, messageId: failure.messageId, error: error.message });
  return { rejected: error.message };
});
