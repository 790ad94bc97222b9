import { createHash, createHmac } from "node:crypto";

/** Lifetime QStash gives every signature. */
export const SIGNATURE_TTL_SECONDS = 300;

export interface SignInput {
  /** Signing key exactly as configured (`sig_…`); its UTF-8 bytes are the HMAC secret. */
  key: string;
  /** The URL being called, exactly as delivered; becomes `sub`. */
  url: string;
  /** The raw body bytes that will be sent. */
  body: Uint8Array;
  /** Signing time, Unix epoch milliseconds. */
  nowMs: number;
  /** Unique token id. */
  jti: string;
}

const b64url = (input: string | Uint8Array) => Buffer.from(input).toString("base64url");

/**
 * The `Upstash-Signature` JWT (HS256). Claim order and the padded base64url
 * body hash match what the hosted service sends, so the spec's test vector
 * reproduces byte for byte.
 */
export function signDelivery(input: SignInput): string {
  const iat = Math.floor(input.nowMs / 1_000);
  const header = b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const payload = b64url(
    JSON.stringify({
      iss: "Upstash",
      sub: input.url,
      exp: iat + SIGNATURE_TTL_SECONDS,
      nbf: iat,
      iat,
      jti: input.jti,
      body: paddedBase64url(createHash("sha256").update(input.body).digest()),
    }),
  );
  const signature = createHmac("sha256", Buffer.from(input.key, "utf8")).update(`${header}.${payload}`).digest("base64url");
  return `${header}.${payload}.${signature}`;
}

/** base64url that keeps the trailing `=`, as the hosted service does (the SDK accepts both). */
function paddedBase64url(bytes: Buffer): string {
  return bytes.toString("base64").replace(/\+/g, "-").replace(/\//g, "_");
}
