import { getEnv } from "../env";
import { createVerifier, type Verifier } from "../qstash/verify";
import { getServices } from "../services";
import type { JobRuntime } from "./define-job";
import { handleJobRequest } from "./handle-request";
import { registry } from "./registry";

type RouteContext = { params: Promise<{ job: string }> };

/** Builds the POST handler of a job route; the app/api route files are one line of glue around it. */
export function createJobRoute(runtime: JobRuntime) {
  let verify: Verifier | undefined;
  return async function POST(request: Request, context: RouteContext): Promise<Response> {
    const { job } = await context.params;
    const env = getEnv();
    verify ??= createVerifier({
      currentSigningKey: env.QSTASH_CURRENT_SIGNING_KEY,
      nextSigningKey: env.QSTASH_NEXT_SIGNING_KEY,
    });
    return handleJobRequest(registry, job, request, { services: getServices(), verify, runtime });
  };
}
