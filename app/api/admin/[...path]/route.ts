import { handleAdminRequest } from "@/lib/admin/api";
import { adminApiDepsOf, getServices } from "@/lib/services";

// The admin API (lib/admin/api.ts routes it): DLQ, job runs, schedules, the outbox. Never cached.
export const runtime = "nodejs";
export const dynamic = "force-dynamic";

async function handle(request: Request): Promise<Response> {
  return handleAdminRequest(request, adminApiDepsOf(getServices()));
}

export { handle as GET, handle as POST, handle as DELETE };
