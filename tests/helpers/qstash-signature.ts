import { createHash, createHmac, randomUUID } from "node:crypto";

/** The public keys of QStash's local dev server; safe to commit. */
export const DEV_CURRENT_KEY = "sig_7kYjw48mhY7kAjqNGcy6cr29RJ6r";
export const DEV_NEXT_KEY = "sig_5ZB6DVzB1wjE8S6rZ7eenA8Pdnhs";

const b64url = (input: Buffer | string) => Buffer.from(input).toString("base64url");

/** Mints an `Upstash-Signature` JWT the way QStash does (HS256, UTF-8 key bytes, body hash claim). */
export function signDelivery(options: {
  key: string;
  url: string;
  body: string;
  /** Unix seconds. @default now */
  iat?: number;
  /** Seconds until expiry. @default 300 */
  ttlSeconds?: number;
  iss?: string;
}): string {
  const iat = options.iat ?? Math.floor(Date.now() / 1000);
  const header = b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const payload = b64url(
    JSON.stringify({
      iss: options.iss ?? "Upstash",
      sub: options.url,
      exp: iat + (options.ttlSeconds ?? 300),
      nbf: iat,
      iat,
      jti: `jwt_${randomUUID()}`,
      body: createHash("sha256").update(options.body).digest("base64url"),
    }),
  );
  const signature = createHmac("sha256", options.key).update(`${header}.${payload}`).digest("base64url");
  return `${header}.${payload}.${signature}`;
}

/** A signed delivery request, as QStash would send it to `url`. */
export function signedRequest(options: {
  url: string;
  body: string;
  key?: string;
  messageId?: string;
  retried?: number;
  signature?: string | null;
  iat?: number;
}): Request {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "upstash-message-id": options.messageId ?? `msg_${randomUUID()}`,
    "upstash-retried": String(options.retried ?? 0),
  };
  const signature =
    options.signature === undefined
      ? signDelivery({ key: options.key ?? DEV_CURRENT_KEY, url: options.url, body: options.body, iat: options.iat })
      : options.signature;
  if (signature !== null) headers["upstash-signature"] = signature;
  return new Request(options.url, { method: "POST", headers, body: options.body });
}
