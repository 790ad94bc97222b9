import { createFailureCallbackRoute } from "@/lib/qstash/failure-route";

export const runtime = "nodejs";

export const POST = createFailureCallbackRoute();
