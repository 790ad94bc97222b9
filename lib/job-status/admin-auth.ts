/**
 * Compares two secrets without leaking where they differ: both are hashed to
 * SHA-256 first, so the comparison always walks 32 bytes whatever the lengths.
 * Web Crypto only, so it runs on the Edge runtime too.
 */
export async function constantTimeEqual(a: string, b: string): Promise<boolean> {
  const encoder = new TextEncoder();
  const [left, right] = await Promise.all([
    crypto.subtle.digest("SHA-256", encoder.encode(a)),
    crypto.subtle.digest("SHA-256", encoder.encode(b)),
  ]);
  const x = new Uint8Array(left);
  const y = new Uint8Array(right);
  let difference = 0;
  for (let index = 0; index < x.length; index++) difference |= x[index]! ^ y[index]!;
  return difference === 0;
}
