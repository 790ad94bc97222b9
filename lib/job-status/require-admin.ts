import { authenticateAdmin, type AdminSessions } from "../admin/auth";
import { json } from "../job-runtime";

/**
 * The admin API's check (Bearer ADMIN_TOKEN compared in constant time, or the
 * /admin session cookie) as an early answer: 404 while admin features are off,
 * 401 otherwise, or null to go ahead. Never echoes the token or what was sent.
 */
export async function requireAdmin(
  request: Request,
  adminToken: string | undefined,
  nowMs: number,
  sessions?: AdminSessions,
): Promise<Response | null> {
  const auth = await authenticateAdmin(request, adminToken, nowMs, sessions);
  if (auth.ok) return null;
  const headers: Record<string, string> = { "cache-control": "no-store" };
  if (auth.status === 401) headers["www-authenticate"] = 'Bearer realm="admin"';
  return json(auth.status, { error: auth.status === 404 ? "not found" : "unauthorized" }, headers);
}
