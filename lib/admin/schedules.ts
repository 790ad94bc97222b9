import type { Client, Schedule } from "@upstash/qstash";
import { decodeBase64, jobNameOf, parseJsonOrText } from "../job-runtime";

/** A QStash schedule as the admin page shows it. Times are Unix epoch ms. */
export interface ScheduleSummary {
  scheduleId: string;
  cron: string;
  destination: string;
  jobName: string;
  isPaused: boolean;
  createdAt: number;
  lastScheduleTime: number | null;
  nextScheduleTime: number | null;
  /** The payload each firing publishes, decoded. */
  payload: unknown;
  labels: string[];
}

export type SchedulesClient = Pick<Client, "schedules">;

export async function listSchedules(client: SchedulesClient): Promise<ScheduleSummary[]> {
  const schedules = await client.schedules.list();
  return schedules
    .map(summarizeSchedule)
    .sort((a, b) => a.jobName.localeCompare(b.jobName) || a.scheduleId.localeCompare(b.scheduleId));
}

function summarizeSchedule(schedule: Schedule): ScheduleSummary {
  const labels = schedule.labels ?? (schedule.label ? [schedule.label] : []);
  const bodyText = schedule.body ?? (schedule.bodyBase64 ? decodeBase64(schedule.bodyBase64) : "");
  return {
    scheduleId: schedule.scheduleId,
    cron: schedule.cron,
    destination: schedule.destination,
    jobName: jobNameOf(schedule.destination, labels),
    isPaused: schedule.isPaused === true,
    createdAt: Number(schedule.createdAt ?? 0),
    lastScheduleTime: schedule.lastScheduleTime ? Number(schedule.lastScheduleTime) : null,
    nextScheduleTime: schedule.nextScheduleTime ? Number(schedule.nextScheduleTime) : null,
    payload: parseJsonOrText(bodyText),
    labels,
  };
}

/** Paused schedules keep their definition and stop firing until resumed. */
export async function setSchedulePaused(client: SchedulesClient, scheduleId: string, paused: boolean): Promise<void> {
  if (paused) await client.schedules.pause({ schedule: scheduleId });
  else await client.schedules.resume({ schedule: scheduleId });
}
