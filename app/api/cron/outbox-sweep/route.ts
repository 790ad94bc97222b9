import { handleOutboxSweepCron } from "@/lib/cron/outbox-sweep";
import { durableQueue } from "@/lib/jobs/outbox";
import { getServices } from "@/lib/services";

// Vercel Cron (vercel.json) calls this with `Authorization: Bearer $CRON_SECRET`. Never cached.
export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export async function GET(request: Request): Promise<Response> {
  const services = getServices();
  return handleOutboxSweepCron(request, {
    cronSecret: services.env.CRON_SECRET,
    outbox: durableQueue(services),
    clock: services.clock,
  });
}
