import { createJobRoute } from "@/lib/jobs/route";

// Opt-in Edge runtime for jobs declared with `runtime: "edge"`; same handler, different URL for the signature check.
export const runtime = "edge";

export const POST = createJobRoute("edge");
