import { dlqAlertEmail as renderDlqAlert } from "../email/templates/dlq-alert";
import type { RenderedEmail } from "../email/templates/render";
import type { FinalFailure } from "../job-runtime";

/** The email an operator gets when a job lands in the DLQ (template: lib/email/templates/dlq-alert.tsx). */
export function dlqAlertEmail(failure: Omit<FinalFailure, "idempotencyKey">, appUrl: string): Promise<RenderedEmail> {
  return renderDlqAlert({ ...failure, appUrl });
}
