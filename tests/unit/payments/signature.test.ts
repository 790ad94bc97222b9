import { createHmac } from "node:crypto";
import { describe, expect, test } from "vitest";
import { signPaymentWebhook, verifyPaymentSignature } from "@/lib/payments/signature";
import { WEBHOOK_SECRET as secret } from "../../helpers/payment-events";

const body = JSON.stringify({ id: "evt_1", type: "purchase.completed" });
const t = 1_767_225_600;
const nowMs = t * 1000;

describe("payment webhook signature", () => {
  test("matches an independent HMAC-SHA256 of `t.body`", async () => {
    const expected = createHmac("sha256", secret).update(`${t}.${body}`).digest("hex");
    expect(await signPaymentWebhook(body, secret, t)).toBe(`t=${t},v1=${expected}`);
  });

  test("valid: signed now, or up to 5 minutes either way", async () => {
    for (const skew of [0, -300, 300]) {
      const header = await signPaymentWebhook(body, secret, t + skew);
      expect(await verifyPaymentSignature({ header, body, secret, nowMs })).toEqual({ ok: true, timestampSeconds: t + skew });
    }
  });

  test("valid when any of several v1 signatures matches (secret rotation)", async () => {
    const good = (await signPaymentWebhook(body, secret, t)).split("v1=")[1]!;
    const header = `t=${t},v1=${"0".repeat(64)},v1=${good}`;
    expect((await verifyPaymentSignature({ header, body, secret, nowMs })).ok).toBe(true);
  });

  test("tampered body", async () => {
    const header = await signPaymentWebhook(body, secret, t);
    const check = await verifyPaymentSignature({ header, body: body.replace("evt_1", "evt_2"), secret, nowMs });
    expect(check).toEqual({ ok: false, reason: "mismatch" });
  });

  test("tampered timestamp (the signature covers it)", async () => {
    const header = (await signPaymentWebhook(body, secret, t)).replace(`t=${t}`, `t=${t + 1}`);
    expect(await verifyPaymentSignature({ header, body, secret, nowMs })).toEqual({ ok: false, reason: "mismatch" });
  });

  test("wrong secret", async () => {
    const header = await signPaymentWebhook(body, "whsec_other_secret_000000", t);
    expect(await verifyPaymentSignature({ header, body, secret, nowMs })).toEqual({ ok: false, reason: "mismatch" });
  });

  test("expired: older than 5 minutes, or too far in the future", async () => {
    for (const skew of [-301, 301, -86_400]) {
      const header = await signPaymentWebhook(body, secret, t + skew);
      expect(await verifyPaymentSignature({ header, body, secret, nowMs })).toEqual({ ok: false, reason: "expired" });
    }
  });

  test("missing header", async () => {
    expect(await verifyPaymentSignature({ header: null, body, secret, nowMs })).toEqual({ ok: false, reason: "missing" });
    expect(await verifyPaymentSignature({ header: "", body, secret, nowMs })).toEqual({ ok: false, reason: "missing" });
  });

  test.each([
    ["no timestamp", `v1=${"a".repeat(64)}`],
    ["no v1", `t=${t}`],
    ["short hex", `t=${t},v1=abc`],
    ["non-numeric t", `t=soon,v1=${"a".repeat(64)}`],
    ["garbage", "hello"],
  ])("malformed: %s", async (_name, header) => {
    expect(await verifyPaymentSignature({ header, body, secret, nowMs })).toEqual({ ok: false, reason: "malformed" });
  });
});
