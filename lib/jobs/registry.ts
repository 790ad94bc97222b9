import { createJobRegistry, lazyJob } from "../job-runtime";
import { cleanupData } from "./cleanup-data";
import { dlqAlert } from "./dlq-alert";
import { dlqRedrive } from "./dlq-redrive";
import { eventReminder } from "./event-reminder";
import { generateReport } from "./generate-report";
import { notification } from "./notification";
import { outboxSweep } from "./outbox-sweep";
import { purchaseConfirmation } from "./purchase-confirmation";
import { refundNotification } from "./refund-notification";
import { reportReadyEmail } from "./report-ready-email";
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
 *
 * Importing this costs only the jobs' names, schemas and options: each handler
 * (its templates, its SDKs) sits in `<job>.handler.ts` behind an `import()`
 * written out here, so Next.js gives it a chunk of its own and a cold route
 * loads the handler of the job it runs, on its first delivery (ADR 0017).
 */
export const jobs = createJobRegistry([
  lazyJob(testJob, () => import("./test.handler")),
  lazyJob(welcomeEmail, () => import("./welcome-email.handler")),
  lazyJob(sendInviteEmail, () => import("./send-invite-email.handler")),
  lazyJob(signInNotification, () => import("./sign-in-notification.handler")),
  lazyJob(purchaseConfirmation, () => import("./purchase-confirmation.handler")),
  lazyJob(refundNotification, () => import("./refund-notification.handler")),
  lazyJob(notification, () => import("./notification.handler")),
  lazyJob(eventReminder, () => import("./event-reminder.handler")),
  lazyJob(generateReport, () => import("./generate-report.handler")),
  lazyJob(reportReadyEmail, () => import("./report-ready-email.handler")),
  lazyJob(cleanupData, () => import("./cleanup-data.handler")),
  lazyJob(dlqRedrive, () => import("./dlq-redrive.handler")),
  lazyJob(dlqAlert, () => import("./dlq-alert.handler")),
  lazyJob(verifyEmailJob, () => import("./verify-email.handler")),
  lazyJob(outboxSweep, () => import("./outbox-sweep.handler")),
]);
