import type { JobRuntime } from "./define-job";

/** Route prefixes; the App Router folders under app/api mirror these. */
export const JOB_ROUTE_PREFIX: Record<JobRuntime, string> = {
  nodejs: "/api/jobs",
  edge: "/api/edge/jobs",
};

/** Where QStash reports a message that exhausted its retries or failed non-retryably. */
export const FAILURE_CALLBACK_PATH = "/api/qstash/failure";

/**
 * The exact URL a job is published to. The route recomputes it from the same
 * base URL to check the signature's `sub` claim, so both sides must use this.
 */
export function jobUrl(appUrl: string, job: { name: string; runtime?: JobRuntime }): string {
  return `${appUrl}${JOB_ROUTE_PREFIX[job.runtime ?? "nodejs"]}/${job.name}`;
}

export function failureCallbackUrl(appUrl: string): string {
  return `${appUrl}${FAILURE_CALLBACK_PATH}`;
}
