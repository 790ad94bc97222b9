import { handleAdminRequest } from "@/lib/admin/api";
import { durableQueue } from "@/lib/jobs/outbox";
import { getServices } from "@/lib/services";

// The admin API (lib/admin/api.ts routes it): DLQ, job runs, schedules, the outbox. Never cached.
export const runtime = "nodejs";
export const dynamic = "force-dynamic";

async function handle(request: Request): Promise<Response> {
  const services = getServices();
  return handleAdminRequest(request, {
    adminToken: services.env.ADMIN_TOKEN,
    qstash: services.qstash,
    redis: services.redis,
    clock: services.clock,
    outbox: durableQueue(services),
  });
}

export { handle as GET, handle as POST, handle as DELETE };
