import { getServices, getVerifier } from "../services";
import type { JobRuntime } from "./define-job";
import { handleJobRequest } from "./handle-request";
import { registry } from "./registry";

type RouteContext = { params: Promise<{ job: string }> };

/** Builds the POST handler of a job route; the app/api route files are one line of glue around it. */
export function createJobRoute(runtime: JobRuntime) {
  return async function POST(request: Request, context: RouteContext): Promise<Response> {
    const { job } = await context.params;
    return handleJobRequest(registry, job, request, { services: getServices(), verify: getVerifier(), runtime });
  };
}
