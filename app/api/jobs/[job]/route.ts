import { createJobRoute } from "@/lib/jobs/route";

// Node.js is the default runtime for jobs; the Edge twin lives under app/api/edge/jobs.
export const runtime = "nodejs";
// Vercel's function limit; lib/jobs/deadline.ts aborts a run shortly before it (JOB_MAX_DURATION_SECONDS).
export const maxDuration = 60;

export const POST = createJobRoute("nodejs");
