import { createJobRoute } from "@/lib/job-runtime";
import { jobs } from "@/lib/jobs/registry";
import { getJobRouteDeps } from "@/lib/job-route-deps";

// Node.js is the default runtime for jobs; the Edge twin lives under app/api/edge/jobs.
export const runtime = "nodejs";
// Vercel's function limit; lib/job-runtime/deadline.ts aborts a run shortly before it (JOB_MAX_DURATION_SECONDS).
export const maxDuration = 60;

export const POST = createJobRoute({ runtime: "nodejs", registry: jobs, deps: getJobRouteDeps });
