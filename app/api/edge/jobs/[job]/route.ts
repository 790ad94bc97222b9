import { createJobRoute } from "@/lib/job-runtime";
import { jobs } from "@/lib/jobs/registry";
import { getJobRouteDeps } from "@/lib/job-route-deps";

// Opt-in Edge runtime for jobs declared with `runtime: "edge"`; same handler, different URL for the signature check.
export const runtime = "edge";

export const POST = createJobRoute({ runtime: "edge", registry: jobs, deps: getJobRouteDeps });
