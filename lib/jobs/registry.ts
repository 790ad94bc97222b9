import { createJobRegistry } from "../job-runtime";
import { cleanupData } from "./cleanup-data";
import { dlqRedrive } from "./dlq-redrive";
import { eventReminder } from "./event-reminder";
import { generateReport } from "./generate-report";
import { notification } from "./notification";
import { outboxSweep } from "./outbox-sweep";
import { purchaseConfirmation } from "./purchase-confirmation";
import { refundNotification } from "./refund-notification";
import { sendInviteEmail } from "./send-invite-email";
import { signInNotification } from "./sign-in-notification";
import { testJob } from "./test";
import { verifyEmailJob } from "./verify-email";
import { welcomeEmail } from "./welcome-email";

/**
 * Every job the app can run: the shared contract producers and the route both
 * import. An explicit list, not a folder scan, so a missing job is a compile
 * error and an unknown name on the wire is answered 489 (a 404 would be retried
 * for nothing). Each name is written once, in the job's own file.
 */
export const jobs = createJobRegistry([
  testJob,
  welcomeEmail,
  sendInviteEmail,
  signInNotification,
  purchaseConfirmation,
  refundNotification,
  notification,
  eventReminder,
  generateReport,
  cleanupData,
  dlqRedrive,
  verifyEmailJob,
  outboxSweep,
]);
