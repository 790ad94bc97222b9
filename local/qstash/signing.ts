import { createHash, createHmac, createSecretKey, type KeyObject, randomUUID } from "node:crypto";
import { DEV_CURRENT_SIGNING_KEY } from "./credentials";

/** Lifetime QStash gives every signature. */
const SIGNATURE_TTL_SECONDS = 300;

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
  /** Seconds until expiry; only a negative test mints anything but QStash's 300. */
  ttlSeconds?: number;
  /** Issuer claim; only a negative test mints anything but "Upstash". */
  iss?: string;
}

const b64url = (input: string | Uint8Array) => Buffer.from(input).toString("base64url");
/** The same for every token. */
const JWT_HEADER = b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));

/** HMAC keys imported once per signing key rather than once per delivery. */
const hmacKeys = new Map<string, KeyObject>();
function hmacKey(key: string): KeyObject {
  let imported = hmacKeys.get(key);
  if (!imported) {
    // A server signs with one key (two while rotating); tests mint with a few more.
    if (hmacKeys.size >= 16) hmacKeys.clear();
    imported = createSecretKey(Buffer.from(key, "utf8"));
    hmacKeys.set(key, imported);
  }
  return imported;
}

/**
 * The `Upstash-Signature` JWT (HS256). Claim order and the padded base64url
 * body hash match what the hosted service sends, so the spec's test vector
 * reproduces byte for byte.
 */
export function signDelivery(input: SignInput): string {
  const iat = Math.floor(input.nowMs / 1_000);
  const header = JWT_HEADER;
  const payload = b64url(
    JSON.stringify({
      iss: input.iss ?? "Upstash",
      sub: input.url,
      exp: iat + (input.ttlSeconds ?? SIGNATURE_TTL_SECONDS),
      nbf: iat,
      iat,
      jti: input.jti,
      body: paddedBase64url(createHash("sha256").update(input.body).digest()),
    }),
  );
  const signature = createHmac("sha256", hmacKey(input.key)).update(`${header}.${payload}`).digest("base64url");
  return `${header}.${payload}.${signature}`;
}

/** base64url that keeps the trailing `=`, as the hosted service does (the SDK accepts both). */
function paddedBase64url(bytes: Buffer): string {
  return bytes.toString("base64").replace(/\+/g, "-").replace(/\//g, "_");
}

/**
 * A delivery request as QStash sends it to `url`, signed with the dev key by
 * default: for tests and benchmarks that call a route without a running QStash.
 * `signature: null` leaves the header out; a string replaces it (forgeries).
 */
export function signedDeliveryRequest(options: {
  url: string;
  body: string;
  key?: string;
  messageId?: string;
  retried?: number;
  signature?: string | null;
  /** Signing time, Unix epoch milliseconds. @default now */
  nowMs?: number;
}): Request {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "upstash-message-id": options.messageId ?? `msg_${randomUUID()}`,
    "upstash-retried": String(options.retried ?? 0),
  };
  const signature =
    options.signature === undefined
      ? signDelivery({
          key: options.key ?? DEV_CURRENT_SIGNING_KEY,
          url: options.url,
          body: new TextEncoder().encode(options.body),
          nowMs: options.nowMs ?? Date.now(),
          jti: `jwt_${randomUUID()}`,
        })
      : options.signature;
  if (signature !== null) headers["upstash-signature"] = signature;
  return new Request(options.url, { method: "POST", headers, body: options.body });
}
