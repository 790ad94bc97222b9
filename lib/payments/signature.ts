/**
 * The payment provider's webhook signature:
 *
 *   Payment-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
 *
 * Several `v1=` entries may appear while the provider rotates secrets; any one
 * matching is enough. The timestamp is signed too, so an old delivery can't be
 * replayed once it leaves the tolerance window. Web Crypto only (Edge-safe).
 */

export const PAYMENT_SIGNATURE_HEADER = "Payment-Signature";
/** How far the signed timestamp may be from our clock, either way. */
const SIGNATURE_TOLERANCE_SECONDS = 5 * 60;

export type SignatureCheck =
  | { ok: true; timestampSeconds: number }
  | { ok: false; reason: "missing" | "malformed" | "expired" | "mismatch" };

const encoder = new TextEncoder();
const HEX_SHA256 = /^[0-9a-f]{64}$/i;

async function hmacKey(secret: string, usage: "sign" | "verify"): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [usage]);
}

function toHex(bytes: ArrayBuffer): string {
  return Array.from(new Uint8Array(bytes), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

function fromHex(hex: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(hex.length / 2);
  for (let index = 0; index < bytes.length; index++) bytes[index] = Number.parseInt(hex.slice(index * 2, index * 2 + 2), 16);
  return bytes;
}

/** The header value the provider sends for `body` at `timestampSeconds` (tests and local tools use it). */
export async function signPaymentWebhook(body: string, secret: string, timestampSeconds: number): Promise<string> {
  const mac = await crypto.subtle.sign("HMAC", await hmacKey(secret, "sign"), encoder.encode(`${timestampSeconds}.${body}`));
  return `t=${timestampSeconds},v1=${toHex(mac)}`;
}

/** Pure apart from Web Crypto: parses the header, checks the window, then each `v1` with `crypto.subtle.verify`. */
export async function verifyPaymentSignature(input: {
  header: string | null;
  body: string;
  secret: string;
  nowMs: number;
  toleranceSeconds?: number;
}): Promise<SignatureCheck> {
  if (!input.header) return { ok: false, reason: "missing" };
  let timestamp: number | undefined;
  const candidates: string[] = [];
  for (const part of input.header.split(",")) {
    const [name, value = ""] = part.trim().split("=", 2);
    if (name === "t" && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (name === "v1" && HEX_SHA256.test(value)) candidates.push(value.toLowerCase());
  }
  if (timestamp === undefined || candidates.length === 0 || candidates.length > 8) return { ok: false, reason: "malformed" };
  const tolerance = input.toleranceSeconds ?? SIGNATURE_TOLERANCE_SECONDS;
  if (Math.abs(input.nowMs / 1000 - timestamp) > tolerance) return { ok: false, reason: "expired" };

  // HMAC verification in Web Crypto compares in constant time.
  const key = await hmacKey(input.secret, "verify");
  const signed = encoder.encode(`${timestamp}.${input.body}`);
  let matched = false;
  for (const candidate of candidates) {
    // Check every candidate (no early exit), so timing doesn't reveal which one matched.
    if (await crypto.subtle.verify("HMAC", key, fromHex(candidate), signed)) matched = true;
  }
  return matched ? { ok: true, timestampSeconds: timestamp } : { ok: false, reason: "mismatch" };
}
