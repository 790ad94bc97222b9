import { parseArgs } from "node:util";
import { Client } from "@upstash/qstash";
import { resendRateFrom } from "@/lib/email/pace";
import { DEFAULT_SCHEDULES_TIME_ZONE, desiredSchedules, MANAGED_LABEL, scheduleDefinitions } from "@/lib/flows/schedules";
import { formatPlan, planIsEmpty, syncSchedules } from "@/lib/schedules/sync";
import { CliError, EXIT_OK, runCommand, UsageError, type CliIo } from "./cli";
import { resolveQStash } from "./credentials";

const SCHEDULES_USAGE = `Usage: npm run schedules:sync -- [--dry-run] [--app-url URL] [--json]

Makes QStash's schedules match lib/flows/schedules.ts: creates or updates each one under
its stable id and removes schedules this command created that are no longer declared.
Running it again changes nothing.

Options:
  --dry-run      Print the differences, change nothing
  --app-url URL  Base URL the schedules deliver to (default: APP_URL)
  --json         Machine-readable plan on stdout
  --help, -h     This text

Environment: QSTASH_URL, QSTASH_TOKEN, APP_URL, VERCEL_AUTOMATION_BYPASS_SECRET (forwarded so
protected deployments accept the deliveries), SCHEDULES_TIME_ZONE (default ${DEFAULT_SCHEDULES_TIME_ZONE}),
from the environment, .env.local or .env. Without QSTASH_TOKEN a local stack on 127.0.0.1:8080 is used.
Exit codes: 0 ok, 1 error, 2 usage.`;

export interface SchedulesCommandDeps {
  /** For tests: how credential probes reach the network. */
  fetch?: typeof fetch;
}

function appUrlFrom(flag: string | undefined, env: CliIo["env"]): string {
  const raw =
    flag ?? env.APP_URL ?? (env.VERCEL_PROJECT_PRODUCTION_URL ? `https://${env.VERCEL_PROJECT_PRODUCTION_URL}` : undefined);
  if (!raw) throw new CliError("APP_URL is not set: schedules need the public URL QStash should call (or pass --app-url).");
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CliError(`APP_URL is not a URL: ${raw}`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new CliError(`APP_URL must be http(s): ${raw}`);
  return raw.replace(/\/+$/, "");
}

/** `npm run schedules:sync` as a function of its arguments and streams; returns the exit code. */
export async function runSchedulesSync(argv: string[], io: CliIo, deps: SchedulesCommandDeps = {}): Promise<number> {
  return runCommand(io, SCHEDULES_USAGE, async () => {
    let values;
    try {
      ({ values } = parseArgs({
        args: argv,
        options: {
          "dry-run": { type: "boolean" },
          "app-url": { type: "string" },
          json: { type: "boolean" },
          help: { type: "boolean", short: "h" },
        },
        strict: true,
      }));
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
    if (values.help) {
      io.stdout.write(`${SCHEDULES_USAGE}\n`);
      return EXIT_OK;
    }
    const dryRun = values["dry-run"] === true;
    const appUrl = appUrlFrom(values["app-url"], io.env);
    const timeZone = io.env.SCHEDULES_TIME_ZONE || DEFAULT_SCHEDULES_TIME_ZONE;
    let desired;
    try {
      desired = desiredSchedules(scheduleDefinitions({ timeZone }), appUrl, {
        protectionBypassSecret: io.env.VERCEL_AUTOMATION_BYPASS_SECRET || undefined,
        resendRatePerSecond: resendRateFrom(io.env.RESEND_RATE_LIMIT_PER_SECOND),
      });
    } catch (error) {
      throw new CliError(error instanceof Error ? error.message : String(error));
    }
    const qstash = await resolveQStash(io.env, (message) => io.stderr.write(`${message}\n`), deps.fetch);
    const client = new Client({ baseUrl: qstash.url, token: qstash.token, enableTelemetry: false });
    const plan = await syncSchedules(client, desired, { managedLabel: MANAGED_LABEL, dryRun });
    if (values.json) {
      io.stdout.write(`${JSON.stringify({ dryRun, changed: !dryRun && !planIsEmpty(plan), plan }, null, 2)}\n`);
    } else {
      io.stdout.write(`${formatPlan(plan, dryRun)}\n`);
    }
    return EXIT_OK;
  });
}
