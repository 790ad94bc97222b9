import { emailLogTask } from "./email-log";
import { eventsIndexTask } from "./events";
import { idempotencyTtlTask } from "./idempotency";
import { expiredInvitesTask } from "./invites";
import { jobRunsTask } from "./job-runs";

import type { CleanupTask } from "./task";

/**
 * Everything cleanup-data does, in order. An explicit list (like the job
 * registry): a module that needs tidying adds one task here.
 */
export const cleanupTasks: readonly CleanupTask[] = [
  expiredInvitesTask,
  emailLogTask,
  jobRunsTask,
  eventsIndexTask,
  idempotencyTtlTask,
];
