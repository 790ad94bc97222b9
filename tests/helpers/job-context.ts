import { type JobContext, createLogger } from "@/lib/job-runtime";
import type { JobDeps } from "@/lib/jobs/context";
import { jobDepsOf, type Services } from "@/lib/services";

/** A handler's context for calling a job directly in a test: the services' job slice plus delivery facts. */
export function jobContextFor(services: Services, overrides: Partial<JobContext> = {}): JobContext & JobDeps {
  const jobName = overrides.jobName ?? "job";
  const messageId = overrides.messageId ?? "msg_1";
  return {
    ...jobDepsOf(services),
    jobName,
    messageId,
    idempotencyKey: `${jobName}/${messageId}`,
    retried: 0,
    maxRetries: 3,
    signal: new AbortController().signal,
    // Quiet: a test asserts on results, not on log lines.
    log: createLogger({}, () => {}),
    ...overrides,
  };
}
