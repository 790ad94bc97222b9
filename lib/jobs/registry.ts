import { cleanupData } from "./cleanup-data";
import type { JobDefinition } from "./define-job";
import { dlqRedrive } from "./dlq-redrive";
import { eventReminder } from "./event-reminder";
import { generateReport } from "./generate-report";
import { notification } from "./notification";
import { purchaseConfirmation } from "./purchase-confirmation";
import { refundNotification } from "./refund-notification";
import { sendInviteEmail } from "./send-invite-email";
import { signInNotification } from "./sign-in-notification";
import { testJob } from "./test-job";
import { welcomeEmail } from "./welcome-email";

/**
 * Every job the app can run: the shared contract producers and the route both
 * import. An explicit list, not a folder scan, so a typo is a compile error and
 * an unknown name on the wire is answered 489 (a 404 would be retried for nothing).
 */
export const jobs = {
  test: testJob,
  "welcome-email": welcomeEmail,
  "send-invite-email": sendInviteEmail,
  "sign-in-notification": signInNotification,
  "purchase-confirmation": purchaseConfirmation,
  "refund-notification": refundNotification,
  "notification": notification,
  "event-reminder": eventReminder,
  "generate-report": generateReport,
  "cleanup-data": cleanupData,
  "dlq-redrive": dlqRedrive,
} as const satisfies Record<string, JobDefinition>;

export type JobName = keyof typeof jobs;
export const registry: Readonly<Record<string, JobDefinition>> = jobs;

export { testJob, welcomeEmail };
