import { describe, expect, test } from "vitest";
import { readBodyWithin } from "@/lib/job-runtime";
import { signPaymentWebhook } from "@/lib/payments/signature";
import { handlePaymentWebhook, WEBHOOK_MAX_BODY_BYTES } from "@/lib/flows/payments-webhook";
import { purchaseEvent, signedWebhook, WEBHOOK_SECRET } from "../../helpers/payment-events";
import { expectNoSideEffects } from "./support";
import { setupStackAndApp } from "../../helpers/stack-and-app";

// The payments webhook: forgeries that already held, the unbounded body
// (attack 4) and the 401 that echoed which check failed (attack 10).

const path = "/api/webhooks/payments";

const running = setupStackAndApp({
  app: {
    env: { PAYMENTS_WEBHOOK_SECRET: WEBHOOK_SECRET },
    routes: {
      [path]: (request, current) =>
        handlePaymentWebhook(request, current.services, { secret: current.env.PAYMENTS_WEBHOOK_SECRET }),
    },
  },
  stackClock: true,
});

const nowSeconds = () => Math.floor(running.stack.clock.now() / 1000);

async function send(request: Request): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(request);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** A body of `total` bytes produced lazily, reporting how much of it was ever pulled. */
function lazyBody(total: number, chunk = 64 * 1024) {
  let produced = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (produced >= total) return controller.close();
      const size = Math.min(chunk, total - produced);
      produced += size;
      controller.enqueue(new Uint8Array(size).fill(0x61));
    },
  });
  return { stream, pulled: () => produced };
}

describe("forged webhooks are refused with 401 'invalid signature' and change nothing", () => {
  test.each([
    ["no signature header", { header: null }],
    ["signed with another secret", { secret: "whsec_someone_else_000000" }],
    ["signed 6 minutes ago (replayed)", { atOffset: -360 }],
    ["signed in the future", { atOffset: 600 }],
    ["a malformed header", { header: "t=now" }],
    ["an empty signature", { header: "t=1,v1=" }],
  ] as const)("%s", async (_name, forge) => {
    const request = await signedWebhook(`${running.app.url}${path}`, purchaseEvent(), {
      atSeconds: nowSeconds() + ("atOffset" in forge ? forge.atOffset : 0),
      ...("secret" in forge && { secret: forge.secret }),
      ...("header" in forge && { header: forge.header }),
    });
    const answer = await expectNoSideEffects(running.stack, running.app.services.redis, () => send(request));
    expect(answer).toEqual({ status: 401, body: { error: "invalid signature" } });
  });

  test("a tampered body (amount changed after signing)", async () => {
    const body = JSON.stringify(purchaseEvent());
    const header = await signPaymentWebhook(body, WEBHOOK_SECRET, nowSeconds());
    const tampered = body.replace('"amountCents":4200', '"amountCents":1');
    const answer = await expectNoSideEffects(running.stack, running.app.services.redis, () =>
      send(
        new Request(`${running.app.url}${path}`, {
          method: "POST",
          headers: { "payment-signature": header, "content-type": "application/json" },
          body: tampered,
        }),
      ),
    );
    expect(answer).toEqual({ status: 401, body: { error: "invalid signature" } });
  });

  test("prototype-pollution keys in a signed body don't reach the queue", async () => {
    const body = JSON.stringify(purchaseEvent()).replace("{", '{"__proto__":{"polluted":true},');
    const header = await signPaymentWebhook(body, WEBHOOK_SECRET, nowSeconds());
    const answer = await send(
      new Request(`${running.app.url}${path}`, { method: "POST", headers: { "payment-signature": header }, body }),
    );
    expect(answer.status).toBe(200);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("body limits (attack 4)", () => {
  test(`a Content-Length over ${WEBHOOK_MAX_BODY_BYTES} bytes gets 413 before anything is read`, async () => {
    const { stream, pulled } = lazyBody(10 * 1024 * 1024);
    const request = new Request(`http://app.test${path}`, {
      method: "POST",
      headers: { "content-length": String(10 * 1024 * 1024), "payment-signature": "t=1,v1=x" },
      body: stream,
      duplex: "half",
    } as RequestInit);
    const answer = await expectNoSideEffects(running.stack, running.app.services.redis, () =>
      handlePaymentWebhook(request, running.app.services, { secret: WEBHOOK_SECRET }),
    );
    expect(answer.status).toBe(413);
    expect(pulled()).toBeLessThanOrEqual(64 * 1024);
  });

  test("a streamed body without Content-Length is cut at the limit, not read to its end", async () => {
    const { stream, pulled } = lazyBody(100 * 1024 * 1024);
    const request = new Request(`http://app.test${path}`, {
      method: "POST",
      headers: { "payment-signature": "t=1,v1=x" },
      body: stream,
      duplex: "half",
    } as RequestInit);
    const answer = await expectNoSideEffects(running.stack, running.app.services.redis, () =>
      handlePaymentWebhook(request, running.app.services, { secret: WEBHOOK_SECRET }),
    );
    expect(answer.status).toBe(413);
    expect(pulled()).toBeLessThanOrEqual(WEBHOOK_MAX_BODY_BYTES + 2 * 64 * 1024);
  });

  test("over real HTTP: an oversized unsigned post gets 413 and changes nothing", async () => {
    const answer = await expectNoSideEffects(running.stack, running.app.services.redis, () =>
      send(new Request(`${running.app.url}${path}`, { method: "POST", body: "x".repeat(WEBHOOK_MAX_BODY_BYTES + 1) })),
    );
    expect(answer.status).toBe(413);
  });

  test("a body exactly at the limit is read (and then judged by its signature)", async () => {
    const answer = await expectNoSideEffects(running.stack, running.app.services.redis, () =>
      send(new Request(`${running.app.url}${path}`, { method: "POST", body: "x".repeat(WEBHOOK_MAX_BODY_BYTES) })),
    );
    expect(answer).toEqual({ status: 401, body: { error: "invalid signature" } });
  });

  test("readBodyWithin keeps multi-byte characters split across chunks intact", async () => {
    const bytes = new TextEncoder().encode("Сайн байна уу 👋");
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const byte of bytes) controller.enqueue(new Uint8Array([byte]));
        controller.close();
      },
    });
    const read = await readBodyWithin(
      new Request("http://x.test", { method: "POST", body: stream, duplex: "half" } as RequestInit),
      1024,
    );
    expect(read).toEqual({ ok: true, text: "Сайн байна уу 👋" });
  });
});
