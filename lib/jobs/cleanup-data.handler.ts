import { defineHandler } from "../job-runtime";
import type { CleanupReport } from "../cleanup/task";
import { cleanupTasks } from "../cleanup/tasks";
import { cleanupData } from "./cleanup-data";

const DAY_MS = 24 * 60 * 60 * 1000;

export default defineHandler(cleanupData, async (payload, context) => {
  const { signal } = context;
  const nowMs = context.clock.now();
  const redis = await context.redis();
  const reports: CleanupReport[] = [];
  for (const task of cleanupTasks) {
    if (payload.tasks && !payload.tasks.includes(task.name)) continue;
    reports.push(
      await task.run({
        redis,
        nowMs,
        signal,
        maxKeys: payload.maxKeysPerTask,
        retention: { emailLogMs: payload.emailLogRetentionDays * DAY_MS, jobRunsMs: payload.jobRunRetentionDays * DAY_MS },
      }),
    );
  }
  return { removed: reports.reduce((sum, report) => sum + report.removed, 0), reports };
});
