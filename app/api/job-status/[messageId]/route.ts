import { handleJobStatusRequest } from "@/lib/job-status/status";
import { getServices } from "@/lib/services";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export async function GET(request: Request, context: { params: Promise<{ messageId: string }> }) {
  const { messageId } = await context.params;
  return handleJobStatusRequest(request, messageId, getServices());
}
