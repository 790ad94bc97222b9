import { listEmailLog } from "../email-log/store";
import { json } from "../job-runtime";
import type { Services } from "../deps";
import { redisAdminSessions } from "../admin/auth";
import { requireAdmin } from "./require-admin";

const USER_ID = /^[A-Za-z0-9_.:-]{1,200}$/;

/** Admin-only: `GET /api/email-log/<userId>?limit=` lists one user's email log, newest first. */
export async function handleEmailLogRequest(request: Request, userId: string, services: Services): Promise<Response> {
  const denied = await requireAdmin(request, services.env.ADMIN_TOKEN, services.clock.now(), redisAdminSessions(services.redis));
  if (denied) return denied;
  const headers = { "cache-control": "no-store" };
  if (!USER_ID.test(userId)) return json(400, { error: "invalid user id" }, headers);
  const requested = Number(new URL(request.url).searchParams.get("limit") ?? 50);
  const limit = Number.isInteger(requested) ? Math.min(Math.max(requested, 1), 200) : 50;
  const entries = await listEmailLog(services.redis, userId, limit);
  return json(200, { userId, entries }, headers);
}
