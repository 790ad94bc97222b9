import { OUTBOX_SWEEP_CRON_PATH } from "@/lib/cron/outbox-sweep";
import { PROTECTION_BYPASS_HEADER } from "@/lib/job-runtime";
import { PROBE_TIMEOUT_MS } from "./accounts";
import { describeError, fail, pass, skip, snippet, type CheckResult } from "./check";

const ID = "cron";
const TITLE = "Outbox cron route";
/** The app's env schema asks the same; shorter is guessable. */
const MIN_SECRET_LENGTH = 16;
const GENERATE = "set CRON_SECRET to a random string of at least 16 characters (e.g. `openssl rand -hex 32`), then redeploy";

type Answer = { status: number; body: string } | { error: string };

async function call(url: string, headers: Record<string, string>): Promise<Answer> {
  try {
    const response = await fetch(url, { redirect: "manual", headers, signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    return { status: response.status, body: await response.text() };
  } catch (error) {
    return { error: describeError(error) };
  }
}

/**
 * CRON_SECRET is set and long enough, and the deployment's cron route answers
 * 401 without it and 200 with it (Vercel Cron's own call; it runs one sweep,
 * which is harmless: that is the route's job every minute anyway).
 */
export async function checkCron(options: { appUrl: string; cronSecret?: string; bypassSecret?: string }): Promise<CheckResult> {
  const { cronSecret } = options;
  if (!cronSecret)
    return fail(
      ID,
      TITLE,
      "CRON_SECRET is not set: the outbox-sweep cron route answers 503, so no cron sweep publishes what QStash refused",
      GENERATE,
    );
  if (cronSecret.length < MIN_SECRET_LENGTH)
    return fail(ID, TITLE, `CRON_SECRET has ${cronSecret.length} characters; it needs at least ${MIN_SECRET_LENGTH}`, GENERATE);
  const url = `${options.appUrl}${OUTBOX_SWEEP_CRON_PATH}`;
  const bypass: Record<string, string> = options.bypassSecret ? { [PROTECTION_BYPASS_HEADER]: options.bypassSecret } : {};
  const stranger = await call(url, bypass);
  if ("error" in stranger) return skip(ID, TITLE, `CRON_SECRET is set; ${url} was not reached (${stranger.error})`);
  const observed = { status: stranger.status, body: snippet(stranger.body) };
  if (stranger.status === 404)
    return fail(ID, TITLE, `${url} answered 404: the route is not deployed`, "deploy app/api/cron/outbox-sweep", observed);
  if (stranger.status === 503)
    return fail(ID, TITLE, "the deployment has no CRON_SECRET (its cron route answers 503)", GENERATE, observed);
  if (stranger.status !== 401)
    return fail(
      ID,
      TITLE,
      `${url} answered ${stranger.status} to a call without the secret, where 401 was expected`,
      "make sure the route checks Authorization: Bearer $CRON_SECRET before it sweeps",
      observed,
    );
  const cron = await call(url, { ...bypass, authorization: `Bearer ${cronSecret}` });
  if ("error" in cron) return skip(ID, TITLE, `CRON_SECRET is set; ${url} was not reached with it (${cron.error})`);
  if (cron.status === 200) return pass(ID, TITLE, `${url} answers 401 without CRON_SECRET and 200 with it`);
  const wrong = cron.status === 401;
  return fail(
    ID,
    TITLE,
    wrong
      ? "the deployment's CRON_SECRET differs from this environment's: Vercel Cron's calls would be turned away too"
      : `${url} answered ${cron.status} to the right secret, where 200 was expected`,
    wrong ? "set the same CRON_SECRET here and on the deployment, then redeploy" : "see the function's logs for that call",
    { status: cron.status, body: snippet(cron.body) },
  );
}
