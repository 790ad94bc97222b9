import { type JobDefinition, type JobInput, buildRequest, protectionBypassHeaders } from "../job-runtime";
import { cleanupData } from "../jobs/cleanup-data";
import { dlqRedrive } from "../jobs/dlq-redrive";
import { outboxSweep } from "../jobs/outbox-sweep";
import type { DesiredSchedule } from "../schedules/sync";
import { configuredPaces, RESEND_DEFAULT_RATE_PER_SECOND } from "../email/pace";

/**
 * Recurring jobs, declared as code. `npm run schedules:sync` makes QStash match
 * this list (lib/schedules/sync.ts): it creates or updates each schedule under
 * its stable id and removes schedules it created earlier that are gone from here.
 * Deliveries go to the job's usual signed route, like any published job.
 */

export interface ScheduleDefinition<Job extends JobDefinition = JobDefinition> {
  /** Stable `Upstash-Schedule-Id`: the same id updates the schedule in place. */
  id: string;
  job: Job;
  /** Five-field cron, optionally prefixed `CRON_TZ=<IANA zone> `. */
  cron: string;
  payload: JobInput<Job>;
  /** One line for people reading the sync output. */
  description: string;
}

/** Every schedule the sync creates carries this label; removal only ever touches schedules with it. */
export const MANAGED_LABEL = "schedules-sync";
export const DEFAULT_SCHEDULES_TIME_ZONE = "Asia/Ulaanbaatar";

/** Checks the payload against its job's type, then widens for the list. */
function schedule<Job extends JobDefinition>(definition: ScheduleDefinition<Job>): ScheduleDefinition {
  return definition;
}

export function scheduleDefinitions(options: { timeZone: string }): ScheduleDefinition[] {
  return [
    schedule({
      id: "cleanup-data-daily",
      job: cleanupData,
      cron: `CRON_TZ=${options.timeZone} 0 2 * * *`,
      payload: {},
      description: `daily housekeeping at 02:00 ${options.timeZone}`,
    }),
    schedule({
      id: "dlq-redrive-every-10-minutes",
      job: dlqRedrive,
      cron: "*/10 * * * *",
      payload: {},
      description: "retry transient DLQ failures once",
    }),
    schedule({
      id: "outbox-sweep-every-minute",
      job: outboxSweep,
      cron: "* * * * *",
      payload: {},
      description: "publish jobs QStash refused when they were written (the outbox)",
    }),
  ];
}

/**
 * Pure: the create requests for `definitions` on the deployment at `appUrl`. Validates payloads and the time zone.
 * A scheduled job that sends email carries the email pace with `resendRatePerSecond` (RESEND_RATE_LIMIT_PER_SECOND),
 * exactly as when it is published, so its deliveries share the one `resend` flow-control key.
 */
export function desiredSchedules(
  definitions: readonly ScheduleDefinition[],
  appUrl: string,
  options: { protectionBypassSecret?: string; resendRatePerSecond?: number } = {},
): DesiredSchedule[] {
  const paces = configuredPaces(options.resendRatePerSecond ?? RESEND_DEFAULT_RATE_PER_SECOND);
  const seen = new Set<string>();
  return definitions.map((definition) => {
    if (seen.has(definition.id)) throw new Error(`schedule id "${definition.id}" is declared twice`);
    seen.add(definition.id);
    assertCronZone(definition.cron);
    // Same mapping as publishing (retries, retry delay, flow control, failure callback, labels).
    const request = buildRequest(appUrl, definition.job, definition.payload, {}, paces);
    const labels = [...(Array.isArray(request.label) ? request.label : request.label ? [request.label] : []), MANAGED_LABEL];
    return {
      scheduleId: definition.id,
      destination: request.url,
      cron: definition.cron,
      body: JSON.stringify(request.body),
      // A schedule keeps the headers it was created with, so the bypass secret is part of what sync compares.
      headers: { "Content-Type": "application/json", ...protectionBypassHeaders(options.protectionBypassSecret) },
      retries: definition.job.retries,
      ...(request.retryDelay !== undefined && { retryDelay: request.retryDelay }),
      ...(request.timeout !== undefined && { timeout: request.timeout }),
      ...(request.flowControl && { flowControl: request.flowControl }),
      ...(request.failureCallback && { failureCallback: request.failureCallback }),
      label: labels,
    };
  });
}

function assertCronZone(cron: string): void {
  const zone = /^CRON_TZ=(\S+)\s/.exec(cron)?.[1];
  if (!zone) return;
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
  } catch {
    throw new Error(`unknown time zone "${zone}" in cron "${cron}" (use an IANA name such as Asia/Ulaanbaatar)`);
  }
}
