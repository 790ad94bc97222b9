import * as z from "zod/mini";
import { EMAIL_LOG_TTL_SECONDS } from "../email-log/store";
import { RUN_TTL_SECONDS } from "../job-runtime";
import { CLEANUP_TASK_NAMES } from "../cleanup/task-names";
import { defineJob } from "./context";

/**
 * Daily housekeeping (scheduled in lib/flows/schedules.ts): runs every task of
 * lib/cleanup/tasks.ts, each bounded by `maxKeysPerTask` and the abort signal,
 * resuming its SCAN where the previous run stopped. Retentions default to the
 * stores' own TTLs, so cleanup never deletes what the app still promises to keep.
 */
export const cleanupData = defineJob({
  name: "cleanup-data",
  schema: z.object({
    emailLogRetentionDays: z._default(z.int().check(z.gte(1), z.lte(3650)), EMAIL_LOG_TTL_SECONDS / 86_400),
    jobRunRetentionDays: z._default(z.int().check(z.gte(1), z.lte(3650)), RUN_TTL_SECONDS / 86_400),
    maxKeysPerTask: z._default(z.int().check(z.gte(100), z.lte(100_000)), 5_000),
    /** Run only these tasks (default: all). */
    tasks: z.optional(z.array(z.enum(CLEANUP_TASK_NAMES)).check(z.minLength(1))),
  }),
  retries: 2,
  retryDelay: "pow(2, retried) * 1000",
  // One run at a time: two overlapping runs would walk the same cursors.
  flowControl: { key: "cleanup-data", parallelism: 1 },
});
