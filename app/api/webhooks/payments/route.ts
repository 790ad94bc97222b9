import { handlePaymentWebhook } from "@/lib/flows/payments-webhook";
import { getServices } from "@/lib/services";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export async function POST(request: Request) {
  const services = getServices();
  return handlePaymentWebhook(request, services, { secret: services.env.PAYMENTS_WEBHOOK_SECRET });
}
