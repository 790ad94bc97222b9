import { parseArgs } from "node:util";
import { Client } from "@upstash/qstash";
import { protectionBypassHeaders } from "@/lib/job-runtime";
import { jobs as registry } from "@/lib/jobs/registry";
import { failureCallbackUrl, jobUrl } from "@/lib/job-runtime";
import { DEFAULT_SCHEDULES_TIME_ZONE } from "@/lib/flows/schedules";
import { EXIT_ERROR, EXIT_OK, runCommand, UsageError, type CliIo } from "../cli";
import { checkQStash, checkRedis, checkResend } from "./accounts";
import { describeError, fail, formatCheck, guarded, skip, type CheckResult } from "./check";
import { checkDurations, checkSchedules, readMaxDuration } from "./configuration";
import { checkCron } from "./cron";
import { checkDelivery } from "./delivery";
import { checkEnvironment } from "./environment";
import { checkSignedRoute } from "./routes";

const DOCTOR_USAGE = `Usage: npm run doctor -- [--url https://my-app.vercel.app] [--json] [--timeout SECONDS]

Checks a deployment (or the local setup) in order and prints one line per check,
✔ or ✘ with the fix: the environment; the QStash token and signing keys; Upstash
Redis; Resend and the sender domain; the job route; a real \`test\` job followed
through QStash until delivered; the failure callback; the outbox cron route and
CRON_SECRET (one real sweep); schedules; time limits.

Options:
  --url URL        Base URL of the deployment to check (default: APP_URL)
  --json           Machine-readable report on stdout
  --timeout SECS   How long to wait for the test job's delivery (default 45)
  --help, -h       This text

Environment: the app's own variables, from the environment, .env.local or .env
(\`vercel env pull .env.local\` fetches a deployment's).
Exit codes: 0 all checks passed, 1 a check failed, 2 usage.`;

const DEFAULT_DELIVERY_TIMEOUT_SECONDS = 45;

export interface DoctorDeps {
  /** How often the delivery check reads QStash's events. @default 1000 */
  pollIntervalMs?: number;
  /** Where to read the job route's maxDuration from. */
  routeFile?: string;
}

function baseUrlFrom(flag: string | undefined, appUrl: string): string {
  if (flag === undefined) return appUrl;
  let url: URL;
  try {
    url = new URL(flag);
  } catch {
    throw new UsageError(`--url is not a URL: ${flag}`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new UsageError(`--url must be http(s): ${flag}`);
  return flag.replace(/\/+$/, "");
}

/** Every check, in order; later ones that need an earlier one's result are skipped rather than failing twice. */
async function runChecks(
  source: CliIo["env"],
  options: { url?: string; deliveryTimeoutMs: number; pollIntervalMs: number; routeFile?: string },
  onResult: (result: CheckResult) => void = () => undefined,
): Promise<{ appUrl?: string; checks: CheckResult[] }> {
  const checks: CheckResult[] = [];
  const record = (result: CheckResult) => {
    checks.push(result);
    onResult(result);
    return result;
  };
  const { result: envResult, env } = checkEnvironment(source);
  record(envResult);
  if (!env) {
    for (const [id, title] of LATER_CHECKS) record(skip(id, title, "needs a complete environment"));
    return { checks };
  }
  const appUrl = baseUrlFrom(options.url, env.APP_URL);
  const bypassSecret = env.VERCEL_AUTOMATION_BYPASS_SECRET;
  // Publishes like the app does, bypass secret included, so a protected deployment is judged fairly.
  const client = new Client({
    baseUrl: env.QSTASH_URL,
    token: env.QSTASH_TOKEN,
    enableTelemetry: false,
    retry: false,
    headers: protectionBypassHeaders(bypassSecret),
  });

  const qstash = await checkQStash(env).catch((error: unknown) => ({
    ...fail(
      "qstash",
      "QStash token and signing keys",
      `could not run: ${describeError(error)}`,
      "check QSTASH_URL and QSTASH_TOKEN",
    ),
    tokenWorks: false,
  }));
  const { tokenWorks, ...qstashResult } = qstash;
  record(qstashResult);
  record(await guarded("redis", "Upstash Redis", "check UPSTASH_REDIS_REST_URL and its token", () => checkRedis(env)));
  record(await guarded("resend", "Resend key and sender domain", "check RESEND_API_KEY", () => checkResend(env)));
  const testJobUrl = jobUrl(appUrl, registry.test!);
  record(
    await guarded("job-route", "Job route", "check the base URL", () =>
      checkSignedRoute({ id: "job-route", title: "Job route", url: testJobUrl, bypassSecret }),
    ),
  );
  record(
    tokenWorks
      ? await guarded("delivery", "Test job delivery", "see the QStash console's logs", () =>
          checkDelivery({
            client,
            appUrl,
            timeoutMs: options.deliveryTimeoutMs,
            pollIntervalMs: options.pollIntervalMs,
            keysMatch: qstashResult.status === "pass",
          }),
        )
      : skip("delivery", "Test job delivery", "needs a working QStash token"),
  );
  record(
    await guarded("failure-callback", "Failure callback", "check the base URL", () =>
      checkSignedRoute({ id: "failure-callback", title: "Failure callback", url: failureCallbackUrl(appUrl), bypassSecret }),
    ),
  );
  record(
    await guarded("cron", "Outbox cron route", "check CRON_SECRET and the base URL", () =>
      checkCron({ appUrl, cronSecret: env.CRON_SECRET, bypassSecret }),
    ),
  );
  const timeZone = env.SCHEDULES_TIME_ZONE || DEFAULT_SCHEDULES_TIME_ZONE;
  record(
    tokenWorks
      ? await guarded("schedules", "Schedules", "run npm run schedules:sync -- --dry-run", () =>
          checkSchedules(client, appUrl, {
            timeZone,
            protectionBypassSecret: bypassSecret,
            resendRatePerSecond: env.RESEND_RATE_LIMIT_PER_SECOND,
          }),
        )
      : skip("schedules", "Schedules", "needs a working QStash token"),
  );
  const maxDurationSeconds = await readMaxDuration(options.routeFile);
  record(
    checkDurations({ maxDurationSeconds, jobMaxDurationSeconds: env.JOB_MAX_DURATION_SECONDS, jobs: Object.values(registry) }),
  );
  return { appUrl, checks };
}

const LATER_CHECKS = [
  ["qstash", "QStash token and signing keys"],
  ["redis", "Upstash Redis"],
  ["resend", "Resend key and sender domain"],
  ["job-route", "Job route"],
  ["delivery", "Test job delivery"],
  ["failure-callback", "Failure callback"],
  ["cron", "Outbox cron route"],
  ["schedules", "Schedules"],
  ["durations", "Time limits"],
] as const;

const parseDoctorArgs = (argv: string[]) =>
  parseArgs({
    args: argv,
    options: {
      url: { type: "string" },
      json: { type: "boolean" },
      timeout: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });

/** `npm run doctor` as a function of its arguments and streams; returns the exit code. */
export async function runDoctor(argv: string[], io: CliIo, deps: DoctorDeps = {}): Promise<number> {
  return runCommand(io, DOCTOR_USAGE, async () => {
    let values: ReturnType<typeof parseDoctorArgs>["values"];
    try {
      ({ values } = parseDoctorArgs(argv));
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
    if (values.help) {
      io.stdout.write(`${DOCTOR_USAGE}\n`);
      return EXIT_OK;
    }
    const timeoutSeconds = values.timeout === undefined ? DEFAULT_DELIVERY_TIMEOUT_SECONDS : Number(values.timeout);
    if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0)
      throw new UsageError(`--timeout must be a positive number of seconds: ${values.timeout}`);
    const json = values.json === true;
    const report = await runChecks(
      io.env,
      {
        url: values.url,
        deliveryTimeoutMs: timeoutSeconds * 1000,
        pollIntervalMs: deps.pollIntervalMs ?? 1000,
        routeFile: deps.routeFile,
      },
      json ? undefined : (result) => io.stdout.write(`${formatCheck(result)}\n`),
    );
    const ok = report.checks.every((check) => check.status !== "fail");
    if (json) io.stdout.write(`${JSON.stringify({ ok, appUrl: report.appUrl, checks: report.checks }, null, 2)}\n`);
    else
      io.stdout.write(
        ok ? "All checks passed.\n" : `${report.checks.filter((check) => check.status === "fail").length} check(s) failed.\n`,
      );
    return ok ? EXIT_OK : EXIT_ERROR;
  });
}
