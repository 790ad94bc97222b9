import type { Redis } from "../job-runtime";
import type { CleanupTaskName } from "./task-names";

export interface CleanupContext {
  redis: Redis;
  /** Unix epoch ms. */
  nowMs: number;
  /** Fires shortly before the run's deadline; tasks stop between pages. */
  signal: AbortSignal;
  /** Keys each task may look at in this run. */
  maxKeys: number;
  retention: {
    emailLogMs: number;
    jobRunsMs: number;
  };
}

export interface CleanupReport {
  task: string;
  /** Keys (or index entries) looked at. */
  scanned: number;
  /** Keys or index entries deleted (or, for a check, fixed). */
  removed: number;
  /** False when the budget ran out; the next run resumes where this one stopped. */
  complete: boolean;
}

/** One kind of data to tidy: a small function over Redis, independent of the others. */
export interface CleanupTask {
  name: CleanupTaskName;
  run(context: CleanupContext): Promise<CleanupReport>;
}
