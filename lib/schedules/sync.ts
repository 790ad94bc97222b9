import type { Client, CreateScheduleRequest, Schedule } from "@upstash/qstash";
import { base64ToUtf8, PROTECTION_BYPASS_HEADER } from "../job-runtime";

/** What QStash should hold for one schedule: the create request plus the id. */
export type DesiredSchedule = CreateScheduleRequest & { scheduleId: string; body: string; retries: number; label: string[] };

/** What `schedules:sync` compares; anything else QStash reports (next run time, state) is not ours to set. */
type ComparedField = "cron" | "destination" | "body" | "retries" | "retryDelay" | "flowControl" | "label" | "protectionBypass";

export interface ScheduleChange {
  field: ComparedField;
  from: string;
  to: string;
}

export interface SyncPlan {
  create: DesiredSchedule[];
  update: Array<{ desired: DesiredSchedule; changes: ScheduleChange[] }>;
  /** Schedules we created earlier (managed label) that are no longer declared. */
  remove: Array<Pick<Schedule, "scheduleId" | "cron" | "destination">>;
  unchanged: string[];
}

/** Bodies compare as JSON, so key order and whitespace never count as a change. */
function canonicalBody(text: string | undefined): string {
  if (text === undefined || text === "") return "";
  try {
    return JSON.stringify(sortKeys(JSON.parse(text)));
  } catch {
    return text;
  }
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

function bodyText(schedule: Schedule): string | undefined {
  if (schedule.body !== undefined) return schedule.body;
  if (schedule.bodyBase64)
    return base64ToUtf8(schedule.bodyBase64);
  return undefined;
}

function labelsOf(schedule: Pick<Schedule, "label" | "labels">): string[] {
  return schedule.labels ?? (schedule.label ? [schedule.label] : []);
}

function headerValue(headers: Record<string, string | string[]> | undefined, name: string): string | undefined {
  const found = Object.entries(headers ?? {}).find(([key]) => key.toLowerCase() === name)?.[1];
  return Array.isArray(found) ? found[0] : found;
}

/** The Vercel bypass secret a schedule forwards, described without printing it. */
function bypassState(desired: DesiredSchedule, actual: Schedule): [string, string] {
  const want = headerValue(desired.headers as Record<string, string> | undefined, PROTECTION_BYPASS_HEADER);
  const have = headerValue(actual.header, PROTECTION_BYPASS_HEADER);
  if (want === have) return ["same", "same"];
  return [have === undefined ? "none" : "another secret", want === undefined ? "none" : "this deployment's secret"];
}

/** Pure: the differences between one declared schedule and what QStash holds under its id. */
export function compareSchedule(desired: DesiredSchedule, actual: Schedule): ScheduleChange[] {
  const flow = (key?: string, parallelism?: number, rate?: number) =>
    key ? `${key} parallelism=${parallelism ?? "-"} rate=${rate ?? "-"}` : "none";
  const pairs: Array<[ComparedField, string, string]> = [
    ["cron", actual.cron, desired.cron],
    ["destination", actual.destination, desired.destination],
    ["body", canonicalBody(bodyText(actual)), canonicalBody(desired.body)],
    ["retries", String(actual.retries), String(desired.retries)],
    ["retryDelay", actual.retryDelayExpression ?? "default", desired.retryDelay ?? "default"],
    [
      "flowControl",
      flow(actual.flowControlKey, actual.parallelism, actual.rate),
      flow(desired.flowControl?.key, desired.flowControl?.parallelism, desired.flowControl?.rate),
    ],
    ["label", [...labelsOf(actual)].sort().join(","), [...desired.label].sort().join(",")],
    ["protectionBypass", ...bypassState(desired, actual)],
  ];
  return pairs.filter(([, from, to]) => from !== to).map(([field, from, to]) => ({ field, from, to }));
}

/** Pure: what to create, update and remove so that QStash holds exactly `desired` among the schedules we manage. */
export function planScheduleSync(
  desired: readonly DesiredSchedule[],
  existing: readonly Schedule[],
  managedLabel: string,
): SyncPlan {
  const byId = new Map(existing.map((schedule) => [schedule.scheduleId, schedule]));
  const wanted = new Set(desired.map((schedule) => schedule.scheduleId));
  const plan: SyncPlan = { create: [], update: [], remove: [], unchanged: [] };
  for (const schedule of desired) {
    const actual = byId.get(schedule.scheduleId);
    if (!actual) {
      plan.create.push(schedule);
      continue;
    }
    const changes = compareSchedule(schedule, actual);
    if (changes.length === 0) plan.unchanged.push(schedule.scheduleId);
    else plan.update.push({ desired: schedule, changes });
  }
  for (const schedule of existing) {
    if (!wanted.has(schedule.scheduleId) && labelsOf(schedule).includes(managedLabel)) {
      plan.remove.push({ scheduleId: schedule.scheduleId, cron: schedule.cron, destination: schedule.destination });
    }
  }
  return plan;
}

export function planIsEmpty(plan: SyncPlan): boolean {
  return plan.create.length === 0 && plan.update.length === 0 && plan.remove.length === 0;
}

/** Lists, plans and (unless `dryRun`) applies. Creating with an existing id updates that schedule in place. */
export async function syncSchedules(
  client: Pick<Client, "schedules">,
  desired: readonly DesiredSchedule[],
  options: { managedLabel: string; dryRun: boolean },
): Promise<SyncPlan> {
  const plan = planScheduleSync(desired, await client.schedules.list(), options.managedLabel);
  if (options.dryRun) return plan;
  for (const schedule of [...plan.create, ...plan.update.map((update) => update.desired)])
    await client.schedules.create(schedule);
  for (const stale of plan.remove) await client.schedules.delete(stale.scheduleId);
  return plan;
}

/** The plan for people: one line per schedule, `+` create, `~` update, `-` remove, `=` unchanged. */
export function formatPlan(plan: SyncPlan, dryRun: boolean): string {
  const lines: string[] = [];
  for (const schedule of plan.create) lines.push(`+ ${schedule.scheduleId}  ${schedule.cron}  → ${schedule.destination}`);
  for (const { desired, changes } of plan.update) {
    lines.push(`~ ${desired.scheduleId}`);
    for (const change of changes) lines.push(`    ${change.field}: ${change.from} → ${change.to}`);
  }
  for (const schedule of plan.remove) lines.push(`- ${schedule.scheduleId}  ${schedule.cron}  → ${schedule.destination}`);
  for (const id of plan.unchanged) lines.push(`= ${id}`);
  const { create, update, remove, unchanged } = plan;
  const summary = planIsEmpty(plan)
    ? `Schedules are up to date (${unchanged.length} unchanged).`
    : dryRun
      ? `Dry run: ${create.length} to create, ${update.length} to update, ${remove.length} to remove, ${unchanged.length} unchanged. Nothing was changed.`
      : `Created ${create.length}, updated ${update.length}, removed ${remove.length}, ${unchanged.length} unchanged.`;
  return [...lines, summary].join("\n");
}
