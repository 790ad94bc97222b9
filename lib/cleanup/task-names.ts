/**
 * The names of cleanup-data's tasks, in the order it runs them (lib/cleanup/tasks.ts).
 * Apart from the tasks so the job's schema can accept `tasks: [...]` without
 * importing every task and the stores they tidy: producers and the job route
 * load the schema, only the job's handler loads the tasks. A task's `name` is
 * typed from this list, and tests/unit/cleanup/tasks.test.ts checks the order.
 */
export const CLEANUP_TASK_NAMES = ["expired-invites", "email-log", "job-runs", "events-index", "idempotency-ttl"] as const;

export type CleanupTaskName = (typeof CLEANUP_TASK_NAMES)[number];
