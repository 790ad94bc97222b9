import { randomToken } from "../crypto";

/** Random bytes in an invite token: 256 bits, far beyond guessing. */
export const INVITE_TOKEN_BYTES = 32;
/** base64url of 32 bytes, no padding. */
const TOKEN_FORMAT = /^[A-Za-z0-9_-]{43}$/;

/** A fresh token for an invite link. Only its hash is stored; the raw token lives in the email. */
export function generateInviteToken(): string {
  return randomToken(INVITE_TOKEN_BYTES);
}

/** True when `value` could be a token we issued; anything else is answered "unknown" without touching Redis. */
export function isWellFormedToken(value: string): boolean {
  return TOKEN_FORMAT.test(value);
}

/**
 * SHA-256 of the token, lower-case hex. A plain hash is enough (no salt, no
 * slow KDF): the token is 256 random bits, so there is nothing to brute-force.
 */
export async function hashInviteToken(token: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** The link in the invite email. */
export function acceptUrl(appUrl: string, token: string): string {
  return `${appUrl}/invite/${token}`;
}
