import * as z from "zod/mini";
import { purchaseConfirmation } from "../jobs/purchase-confirmation";
import { refundNotification } from "../jobs/refund-notification";
import type { Services } from "../deps";
import { type EnqueueResult, JobTimeoutError, json, log, readBodyWithin, withDeadline } from "../job-runtime";
import { eventEnvelope, HANDLED_EVENT_TYPES, paymentEvent, type PaymentEvent } from "../payments/events";
import { PAYMENT_SIGNATURE_HEADER, verifyPaymentSignature } from "../payments/signature";

/**
 * Providers time webhooks out after a few seconds and retry; we promise an
 * answer within 500 ms. The request only verifies and publishes: no email, no
 * Redis. If QStash is slow we answer 503 and let the provider retry; the event
 * id as deduplication id makes a publish that landed anyway harmless.
 */
export const ENQUEUE_BUDGET_MS = 400;

/** Payment events are a few KB; anything past this is refused (413) before it is read, let alone verified. */
export const WEBHOOK_MAX_BODY_BYTES = 64 * 1024;

export interface PaymentWebhookOptions {
  /** `PAYMENTS_WEBHOOK_SECRET`; the webhook is off (503) without it. */
  secret: string | undefined;
  /** @default ENQUEUE_BUDGET_MS */
  budgetMs?: number;
}

export async function handlePaymentWebhook(
  request: Request,
  services: Pick<Services, "queue" | "clock">,
  options: PaymentWebhookOptions,
): Promise<Response> {
  if (!options.secret) return json(503, { error: "payments webhook is not configured" });
  const read = await readBodyWithin(request, WEBHOOK_MAX_BODY_BYTES);
  if (!read.ok) {
    log.warn("payment_body_too_large", { reason: read.reason, limit: WEBHOOK_MAX_BODY_BYTES });
    return json(413, { error: `body larger than ${WEBHOOK_MAX_BODY_BYTES} bytes` });
  }
  const body = read.text;
  const check = await verifyPaymentSignature({
    header: request.headers.get(PAYMENT_SIGNATURE_HEADER),
    body,
    secret: options.secret,
    nowMs: services.clock.now(),
  });
  if (!check.ok) {
    log.warn("payment_signature_rejected", { reason: check.reason });
    // The reason stays in the log line: telling the caller which check failed only helps a forger.
    return json(401, { error: "invalid signature" });
  }

  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    return json(400, { error: "body is not valid JSON" });
  }
  const envelope = eventEnvelope.safeParse(raw);
  if (!envelope.success) return json(400, { error: `invalid event: ${z.prettifyError(envelope.error)}` });
  const { id, type } = envelope.data;
  if (!(HANDLED_EVENT_TYPES as readonly string[]).includes(type)) {
    // Acknowledge: a 4xx would make the provider retry an event we will never handle.
    return json(200, { received: true, ignored: true, id, type });
  }
  const parsed = paymentEvent.safeParse(raw);
  if (!parsed.success) return json(400, { error: `invalid ${type} event: ${z.prettifyError(parsed.error)}`, id });

  let result: EnqueueResult;
  try {
    result = await withDeadline(options.budgetMs ?? ENQUEUE_BUDGET_MS, () => enqueueFor(services, parsed.data));
  } catch (error) {
    const timedOut = error instanceof JobTimeoutError;
    log.error("payment_enqueue_failed", { id, type, error });
    return json(
      503,
      { error: timedOut ? "queue is slow, retry later" : "could not queue the event, retry later", id },
      { "Retry-After": "5" },
    );
  }
  log.info("payment_event_queued", { id, type, messageId: result.messageId, deduplicated: result.deduplicated });
  return json(200, { received: true, id, type, messageId: result.messageId, deduplicated: result.deduplicated });
}

/** Pure mapping from a provider event to its job, published with the event id as deduplication id. */
function enqueueFor(services: Pick<Services, "queue">, event: PaymentEvent): Promise<EnqueueResult> {
  const options = { deduplicationId: event.id, label: "payments" };
  const createdMs = event.created * 1000;
  switch (event.type) {
    case "purchase.completed":
      return services.queue.enqueue(purchaseConfirmation, { eventId: event.id, ...event.data, purchasedAt: createdMs }, options);
    case "refund.created":
      return services.queue.enqueue(refundNotification, { eventId: event.id, ...event.data, refundedAt: createdMs }, options);
  }
}
