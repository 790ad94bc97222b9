import { randomUUID } from "node:crypto";
import { DEV_CURRENT_SIGNING_KEY, DEV_NEXT_SIGNING_KEY } from "@/local/qstash/credentials";
import { signDelivery as sign, signedDeliveryRequest } from "@/local/qstash/signing";

/** The public keys of QStash's local dev server; the one copy lives in local/qstash/credentials.ts. */
export const DEV_CURRENT_KEY = DEV_CURRENT_SIGNING_KEY;
export const DEV_NEXT_KEY = DEV_NEXT_SIGNING_KEY;

/** Mints an `Upstash-Signature` JWT with the local QStash's signer; `iat` in Unix seconds, for forgery cases. */
export function signDelivery(options: {
  key: string;
  url: string;
  body: string;
  iat?: number;
  ttlSeconds?: number;
  iss?: string;
}): string {
  return sign({
    key: options.key,
    url: options.url,
    body: new TextEncoder().encode(options.body),
    nowMs: (options.iat ?? Math.floor(Date.now() / 1000)) * 1000,
    jti: `jwt_${randomUUID()}`,
    ...(options.ttlSeconds !== undefined && { ttlSeconds: options.ttlSeconds }),
    ...(options.iss !== undefined && { iss: options.iss }),
  });
}

/** A signed delivery request, as QStash would send it to `url` (`iat` in Unix seconds). */
export function signedRequest(options: Omit<Parameters<typeof signedDeliveryRequest>[0], "nowMs"> & { iat?: number }): Request {
  const { iat, ...rest } = options;
  return signedDeliveryRequest({ ...rest, ...(iat !== undefined && { nowMs: iat * 1000 }) });
}
