import { json } from "../qstash/respond";

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

/**
 * Checks `Authorization: Bearer <ADMIN_TOKEN>`. Returns the answer to send when
 * the caller is not an admin (404 while admin features are off, 401 otherwise),
 * or null to go ahead. The answer never contains the token or what was sent.
 */
export async function requireAdmin(request: Request, adminToken: string | undefined): Promise<Response | null> {
  if (!adminToken) return json(404, { error: "not found" }, { "cache-control": "no-store" });
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get("authorization") ?? "");
  if (match && (await constantTimeEqual(match[1]!, adminToken))) return null;
  return json(401, { error: "unauthorized" }, { "www-authenticate": 'Bearer realm="admin"', "cache-control": "no-store" });
}
