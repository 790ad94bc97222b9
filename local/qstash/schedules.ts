import { bodyFields } from "./body";
import type { Core } from "./core";
import { nextCronTime, parseCron } from "./cron";
import { parseDestination } from "./destination";
import { badRequest, notFound } from "./errors";
import type { FlatHeaders } from "./header-map";
import type { ScheduleRecord } from "./model";
import { parsePublishOptions } from "./publish-options";
import { DEFAULT_RETRIES, publish } from "./publish";
import { compact } from "./views";

/** Headers that make no sense on every firing (§10): they are dropped from the stored template. */
const NOT_REPEATED = new Set([
  "upstash-not-before",
  "upstash-deduplication-id",
  "upstash-content-based-deduplication",
  "upstash-cron",
  "upstash-schedule-id",
]);

export interface ScheduleRequest {
  /** Raw destination text (URL or URL group name). */
  destination: string;
  headers: FlatHeaders;
  body: Buffer;
  callerIp: string;
}

/** Creates a schedule, or replaces it in place when `Upstash-Schedule-Id` names an existing one. */
export function upsertSchedule(core: Core, request: ScheduleRequest): string {
  const options = parsePublishOptions(request.headers);
  if (!options.cron) throw badRequest("missing Upstash-Cron header");
  parseCron(options.cron);
  parseDestination(request.destination, "");
  const now = core.clock.now();
  const scheduleId = options.scheduleId ?? core.id("scd");
  const existing = core.state.schedules.get(scheduleId);
  const publishHeaders: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (
      (name === "content-type" || name.startsWith("upstash-")) &&
      !NOT_REPEATED.has(name) &&
      !name.startsWith("upstash-telemetry-")
    ) {
      publishHeaders[name] = value;
    }
  }
  const record: ScheduleRecord = {
    scheduleId,
    cron: options.cron,
    createdAt: existing?.createdAt ?? now,
    destination: request.destination,
    callerIp: request.callerIp,
    isPaused: existing?.isPaused ?? false,
    publishHeaders,
    bodyBase64: request.body.toString("base64"),
    lastScheduleTime: existing?.lastScheduleTime,
    nextScheduleTime: nextCronTime(options.cron, now),
    lastScheduleStates: existing?.lastScheduleStates ?? {},
  };
  core.state.schedules.set(scheduleId, record);
  core.changed();
  return scheduleId;
}

export function setSchedulePaused(core: Core, scheduleId: string, paused: boolean): void {
  const schedule = getSchedule(core, scheduleId);
  schedule.isPaused = paused;
  // Resuming starts from now: firings missed while paused are not made up.
  if (!paused) schedule.nextScheduleTime = nextCronTime(schedule.cron, core.clock.now());
  core.changed();
}

export function getSchedule(core: Core, scheduleId: string): ScheduleRecord {
  const schedule = core.state.schedules.get(scheduleId);
  if (!schedule) throw notFound(`schedule ${scheduleId} not found`);
  return schedule;
}

/**
 * Publishes every schedule that is due at `now`. A firing that fails (say its
 * URL group was deleted) is logged and skipped; the schedule moves on either way.
 * Firings missed while the server was down are not made up, as with QStash.
 */
export function fireDueSchedules(core: Core, now: number): void {
  for (const schedule of core.state.schedules.values()) {
    if (schedule.isPaused || schedule.nextScheduleTime === undefined || schedule.nextScheduleTime > now) continue;
    const firedAt = schedule.nextScheduleTime;
    schedule.lastScheduleTime = firedAt;
    schedule.nextScheduleTime = nextCronTime(schedule.cron, Math.max(firedAt, now));
    try {
      const options = parsePublishOptions(schedule.publishHeaders);
      const result = publish(core, {
        destination: parseDestination(schedule.destination, ""),
        options,
        body: Buffer.from(schedule.bodyBase64, "base64"),
        callerIp: schedule.callerIp,
        scheduleId: schedule.scheduleId,
        rawHeaders: schedule.publishHeaders,
      });
      schedule.lastScheduleStates = Object.fromEntries(
        result.messages.map((message) => [message.messageId, "IN_PROGRESS" as const]),
      );
    } catch (error) {
      console.warn(
        `[local/qstash] schedule ${schedule.scheduleId} could not fire:`,
        error instanceof Error ? error.message : error,
      );
    }
    core.changed();
  }
}

/** Earliest pending firing, for the dispatcher's wake-up timer. */
export function nextScheduleAt(core: Core): number | undefined {
  let next: number | undefined;
  for (const schedule of core.state.schedules.values()) {
    if (schedule.isPaused || schedule.nextScheduleTime === undefined) continue;
    if (next === undefined || schedule.nextScheduleTime < next) next = schedule.nextScheduleTime;
  }
  return next;
}

/** The §10 schedule object. */
export function scheduleJson(schedule: ScheduleRecord): Record<string, unknown> {
  const options = parsePublishOptions(schedule.publishHeaders);
  const flow = options.flowControl;
  return compact({
    scheduleId: schedule.scheduleId,
    cron: schedule.cron,
    createdAt: schedule.createdAt,
    destination: schedule.destination,
    method: options.method ?? "POST",
    header: options.header,
    ...bodyFields(schedule.bodyBase64, { text: "body", base64: "bodyBase64" }),
    retries: options.retries ?? DEFAULT_RETRIES,
    delay: options.delayMs !== undefined ? Math.round(options.delayMs / 1_000) : undefined,
    timeout: options.timeoutMs !== undefined ? Math.round(options.timeoutMs / 1_000) : undefined,
    callback: options.callback,
    failureCallback: options.failureCallback,
    callerIp: schedule.callerIp,
    callerIP: schedule.callerIp,
    isPaused: schedule.isPaused,
    queueName: options.queueName,
    flowControlKey: flow?.key,
    parallelism: flow?.parallelism,
    rate: flow?.rate,
    period: flow ? (flow.periodSeconds ?? 1) : undefined,
    retryDelayExpression: options.retryDelayExpression,
    label: options.labels?.[0],
    labels: options.labels && options.labels.length > 0 ? options.labels : undefined,
    lastScheduleTime: schedule.lastScheduleTime,
    nextScheduleTime: schedule.isPaused ? undefined : schedule.nextScheduleTime,
    lastScheduleStates: schedule.lastScheduleStates,
  });
}
