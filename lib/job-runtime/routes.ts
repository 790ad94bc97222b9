import type { JobRuntime } from "./define-job";
import { handleJobRequest, type JobRouteDeps } from "./handle-request";
import type { AnyJobRegistry } from "./registry";

type RouteContext = { params: Promise<{ job: string }> };

/**
 * The POST handler of a job route (`app/api/jobs/[job]/route.ts`). `deps` is
 * called per request so nothing is built at import time (`next build` needs no secrets).
 */
export function createJobRoute(options: {
  runtime: JobRuntime;
  registry: AnyJobRegistry;
  deps(): Omit<JobRouteDeps, "runtime">;
}) {
  return async function postJob(request: Request, context: RouteContext): Promise<Response> {
    const { job } = await context.params;
    return handleJobRequest(options.registry, job, request, { ...options.deps(), runtime: options.runtime });
  };
}
