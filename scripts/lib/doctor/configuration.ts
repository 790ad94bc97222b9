import { readFile } from "node:fs/promises";
import type { Client } from "@upstash/qstash";
import type { JobDefinition } from "@/lib/job-runtime";
import { DEFAULT_SCHEDULES_TIME_ZONE, desiredSchedules, MANAGED_LABEL, scheduleDefinitions } from "@/lib/flows/schedules";
import { planIsEmpty, syncSchedules } from "@/lib/schedules/sync";
import { fail, pass, skip, type CheckResult } from "./check";

/** The Node.js job route, whose `maxDuration` is Vercel's limit for every job run. */
const JOB_ROUTE_FILE = "app/api/jobs/[job]/route.ts";

/** The dry-run diff of `npm run schedules:sync`: empty when QStash holds exactly what lib/flows/schedules.ts declares. */
export async function checkSchedules(
  client: Pick<Client, "schedules">,
  appUrl: string,
  options: { timeZone?: string; protectionBypassSecret?: string; resendRatePerSecond?: number } = {},
): Promise<CheckResult> {
  const [id, title] = ["schedules", "Schedules"];
  const timeZone = options.timeZone ?? DEFAULT_SCHEDULES_TIME_ZONE;
  const desired = desiredSchedules(scheduleDefinitions({ timeZone }), appUrl, {
    protectionBypassSecret: options.protectionBypassSecret,
    resendRatePerSecond: options.resendRatePerSecond,
  });
  const plan = await syncSchedules(client, desired, { managedLabel: MANAGED_LABEL, dryRun: true });
  if (planIsEmpty(plan)) return pass(id, title, `${plan.unchanged.length} in sync with lib/flows/schedules.ts`);
  const parts = [
    ...plan.create.map((schedule) => `${schedule.scheduleId} missing`),
    ...plan.update.map(
      ({ desired: schedule, changes }) => `${schedule.scheduleId} differs in ${changes.map((change) => change.field).join(", ")}`,
    ),
    ...plan.remove.map((schedule) => `${schedule.scheduleId} no longer declared`),
  ];
  return fail(
    id,
    title,
    parts.join("; "),
    `run \`npm run schedules:sync -- --dry-run\` to see the diff, then \`npm run schedules:sync\` with this environment`,
  );
}

/** `export const maxDuration = N` from the route's source, or undefined when the file doesn't set it. */
export async function readMaxDuration(file = JOB_ROUTE_FILE): Promise<number | undefined> {
  const source = await readFile(file, "utf8");
  const match = /export\s+const\s+maxDuration\s*=\s*(\d+)/.exec(source);
  return match ? Number(match[1]) : undefined;
}

/**
 * A job's abort signal fires shortly before JOB_MAX_DURATION_SECONDS so it can
 * let go of its lease and answer 504; that only works if the platform lets the
 * function live that long, and if no job asks QStash to wait longer than that.
 */
export function checkDurations(options: {
  maxDurationSeconds: number | undefined;
  jobMaxDurationSeconds: number;
  jobs: readonly Pick<JobDefinition, "name" | "timeout" | "runtime">[];
}): CheckResult {
  const [id, title] = ["durations", "Time limits"];
  const { maxDurationSeconds: maxDuration, jobMaxDurationSeconds: budget } = options;
  if (maxDuration === undefined)
    return skip(
      id,
      title,
      `${JOB_ROUTE_FILE} sets no maxDuration; the plan's default applies, so JOB_MAX_DURATION_SECONDS can't be compared`,
    );
  const problems: string[] = [];
  if (budget > maxDuration) {
    problems.push(
      `JOB_MAX_DURATION_SECONDS=${budget} is above maxDuration=${maxDuration}: Vercel kills the function before the job's abort fires`,
    );
  }
  const limit = Math.min(budget, maxDuration);
  for (const job of options.jobs) {
    if ((job.runtime ?? "nodejs") !== "nodejs" || job.timeout === undefined) continue;
    if (job.timeout > limit) problems.push(`job "${job.name}" has timeout ${job.timeout}s but a run may last at most ${limit}s`);
  }
  if (problems.length > 0) {
    return fail(
      id,
      title,
      problems.join("; "),
      `keep every job's timeout ≤ JOB_MAX_DURATION_SECONDS ≤ maxDuration in ${JOB_ROUTE_FILE} (raise both together if your plan allows)`,
    );
  }
  return pass(id, title, `maxDuration=${maxDuration}s, JOB_MAX_DURATION_SECONDS=${budget}s and every job's timeout agree`);
}
