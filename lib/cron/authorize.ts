import { secretsEqual } from "../crypto";
import { log } from "../job-runtime";

/**
 * Who may call a cron route: whoever sends `Authorization: Bearer <CRON_SECRET>`,
 * which is what Vercel Cron sends once the project has a `CRON_SECRET`. Returns
 * the refusal to answer with, or null when the caller may proceed.
 *
 * Without a secret nobody may: the route answers 503 naming the variable,
 * because an open cron route would let anyone trigger the work.
 */
export async function refuseCronCaller(request: Request, cronSecret: string | undefined): Promise<Response | null> {
  if (!cronSecret) {
    const error = "CRON_SECRET is not set: this cron route is off until the deployment has one (see .env.example)";
    log.error("cron_secret_missing", { path: new URL(request.url).pathname });
    return Response.json({ error }, { status: 503, headers: { "Cache-Control": "no-store" } });
  }
  const presented = /^Bearer (.+)$/.exec(request.headers.get("authorization") ?? "")?.[1];
  // Hashed before comparing (lib/crypto.ts), so neither a wrong length nor a wrong byte shows in the timing.
  if (presented !== undefined && (await secretsEqual(presented, cronSecret))) return null;
  return Response.json(
    { error: "unauthorized" },
    { status: 401, headers: { "WWW-Authenticate": 'Bearer realm="cron"', "Cache-Control": "no-store" } },
  );
}
