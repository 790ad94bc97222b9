/** Redis keys of job-run records; shared by the idempotency scripts, the store and cleanup. */
export const runKey = (messageId: string) => `job:run:${messageId}`;
/** Sorted set of recent runs, scored by when each was queued or last started (ms); trimmed to about its limit now and then. */
export const RECENT_RUNS_KEY = "job:runs:recent";
/** How many run ids the recent list keeps. */
export const RECENT_RUNS_LIMIT = 1000;
/** How long a run record lives after its last change. */
export const RUN_TTL_SECONDS = 14 * 24 * 60 * 60;

export type RunStatus = "queued" | "running" | "succeeded" | "failed" | "dead";
