import { describe, expect, test } from "vitest";
import { listEmailLog } from "@/lib/email-log/store";
import { getRun } from "@/lib/job-runtime";
import { handlePaymentWebhook } from "@/lib/flows/payments-webhook";
import { purchaseEvent, refundEvent, signedWebhook, WEBHOOK_SECRET } from "../../helpers/payment-events";
import { setupStackAndApp } from "../../helpers/stack-and-app";

// The provider's webhook over real HTTP → local QStash → the signed job route → local Resend,
// with Redis behind the REST emulator. Time moves only through stack.qstash.advance.

const running = setupStackAndApp({
  app: {
    env: { PAYMENTS_WEBHOOK_SECRET: WEBHOOK_SECRET },
    routes: {
      "/api/webhooks/payments": (request, current) =>
        handlePaymentWebhook(request, current.services, { secret: current.env.PAYMENTS_WEBHOOK_SECRET }),
    },
  },
  stackClock: true,
  reset: ["qstash", "resend", "redis"],
});

async function postWebhook(event: unknown) {
  const request = await signedWebhook(`${running.app.url}/api/webhooks/payments`, event, {
    atSeconds: Math.floor(running.stack.clock.now() / 1000),
  });
  const response = await fetch(request);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const receipts = () => running.stack.resend.emails().filter((email) => email.subject === "Your receipt for order ord_1001");

describe("purchase webhook → purchase-confirmation", () => {
  test("the same webhook twice and Resend failing once still sends exactly one confirmation", async () => {
    running.stack.resend.faults.set({ failNext: 1 });

    const first = await postWebhook(purchaseEvent());
    const second = await postWebhook(purchaseEvent());
    expect(first).toMatchObject({ status: 200, body: { received: true, deduplicated: false } });
    expect(second).toMatchObject({ status: 200, body: { received: true, deduplicated: true, messageId: first.body.messageId } });

    // First attempt: Resend answers 500, the job answers 503, QStash retries after pow(2, 0) * 1000 ms.
    await running.stack.qstash.idle();
    expect(receipts()).toHaveLength(0);
    const messageId = String(first.body.messageId);
    expect(await getRun(running.app.services.redis, messageId)).toMatchObject({ status: "failed", attempts: 1 });

    await running.stack.qstash.advance(1_000);
    expect(receipts()).toHaveLength(1);
    expect(receipts()[0]).toMatchObject({ to: ["ada@example.com"], idempotencyKey: "purchase-confirmation/evt_purchase_1" });
    expect(await getRun(running.app.services.redis, messageId)).toMatchObject({ status: "succeeded", attempts: 2 });
    const [entry] = await listEmailLog(running.app.services.redis, "usr_1");
    expect(entry).toMatchObject({ job: "purchase-confirmation", status: "sent", attempts: 2 });
    expect(entry!.resendId).toBe(receipts()[0]!.id);

    // Long after QStash forgot the deduplication id, the provider sends it once more: the job's key stops it.
    await running.stack.qstash.advance(60 * 60 * 1000);
    const late = await postWebhook(purchaseEvent());
    expect(late.body.deduplicated).toBe(false);
    await running.stack.qstash.idle();
    const { logs } = await running.app.qstash.logs({ filter: { messageId: String(late.body.messageId) } });
    expect(logs.map((log) => log.state)).toContain("DELIVERED");
    expect(receipts()).toHaveLength(1);
  });

  test("refund.created sends one refund notification", async () => {
    expect((await postWebhook(refundEvent())).status).toBe(200);
    await running.stack.qstash.idle();
    expect(running.stack.resend.emails().map((email) => email.subject)).toEqual(["Your refund of €10.00 is on its way"]);
  });

  test("a bad signature is refused with 401 and nothing is queued", async () => {
    const body = JSON.stringify(purchaseEvent());
    const response = await fetch(`${running.app.url}/api/webhooks/payments`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "payment-signature": `t=${Math.floor(running.stack.clock.now() / 1000)},v1=${"0".repeat(64)}`,
      },
      body,
    });
    expect(response.status).toBe(401);
    await running.stack.qstash.idle();
    expect((await running.app.qstash.logs()).logs).toEqual([]);
    expect(running.stack.resend.emails()).toEqual([]);
  });
});
