/**
 * The app's byte and secret helpers, on Web Crypto only so they run on the Edge
 * runtime too. One home, so a fix to a comparison reaches every caller.
 */

/** base64url without padding (RFC 4648 §5): tokens, salts and signatures in URLs and cookies. */
export function toBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

export function fromBase64Url(text: string): Uint8Array {
  const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

/** `bytes` random bytes as base64url: 32 bytes (256 bits) is far beyond guessing. */
export function randomToken(bytes = 32): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** Constant-time comparison of two byte strings (the loop always walks the longer one). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  let difference = a.length ^ b.length;
  for (let index = 0; index < Math.max(a.length, b.length); index++) difference |= (a[index] ?? 0) ^ (b[index] ?? 0);
  return difference === 0;
}

/**
 * Compares two secrets without leaking where they differ: both are hashed to
 * SHA-256 first, so the comparison always walks 32 bytes whatever the lengths.
 */
export async function secretsEqual(a: string, b: string): Promise<boolean> {
  const encoder = new TextEncoder();
  const [left, right] = await Promise.all([
    crypto.subtle.digest("SHA-256", encoder.encode(a)),
    crypto.subtle.digest("SHA-256", encoder.encode(b)),
  ]);
  return bytesEqual(new Uint8Array(left), new Uint8Array(right));
}

/** True when `value` could be a `randomToken()` of 32 bytes (43 base64url characters); anything else is refused unread. */
export function isRandomToken(value: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(value);
}

/**
 * SHA-256 of `text`, lower-case hex: how single-use link tokens are stored. A
 * plain hash is enough (no salt, no slow KDF): 256 random bits can't be brute-forced.
 */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
}
