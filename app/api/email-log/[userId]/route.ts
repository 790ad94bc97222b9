import { handleEmailLogRequest } from "@/lib/job-status/email-log";
import { getServices } from "@/lib/services";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export async function GET(request: Request, context: { params: Promise<{ userId: string }> }) {
  const { userId } = await context.params;
  return handleEmailLogRequest(request, userId, getServices());
}
