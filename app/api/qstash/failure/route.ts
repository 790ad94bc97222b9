import { createFailureCallbackRoute } from "@/lib/job-runtime";
import { getFailureCallbackDeps } from "@/lib/services";

export const runtime = "nodejs";

export const POST = createFailureCallbackRoute(getFailureCallbackDeps);
