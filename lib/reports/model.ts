import * as z from "zod/mini";
import type { EmailLogEntry } from "../email-log/store";
import type { JobRun } from "../job-runtime";

/** Delivery report of one organisation over a period. Times are Unix epoch ms. */
const reportResultSchema = z.object({
  from: z.number(),
  to: z.number(),
  members: z.number(),
  emails: z.object({
    total: z.number(),
    sent: z.number(),
    failed: z.number(),
    /** Per job: emails sent and failed, and the delivery attempts they took. */
    byJob: z.array(z.object({ job: z.string(), sent: z.number(), failed: z.number(), attempts: z.number() })),
  }),
  runs: z.object({
    /** Job runs behind those emails that are still on record. */
    total: z.number(),
    byStatus: z.record(z.string(), z.number()),
    /** Runs that needed more than one attempt. */
    retried: z.number(),
    avgDurationMs: z.nullable(z.number()),
    p95DurationMs: z.nullable(z.number()),
  }),
});
export type ReportResult = z.output<typeof reportResultSchema>;

export const reportSchema = z.object({
  id: z.string(),
  orgId: z.string(),
  orgName: z.coerce.string(),
  requestedBy: z.string(),
  periodDays: z.int(),
  status: z.enum(["queued", "running", "ready"]),
  createdAt: z.number(),
  startedAt: z.optional(z.number()),
  completedAt: z.optional(z.number()),
  result: z.optional(reportResultSchema),
});
export type Report = z.output<typeof reportSchema>;

/** Pure: the report from what was collected. Deterministic for the same input. */
export function aggregateReport(input: {
  from: number;
  to: number;
  members: number;
  emails: readonly EmailLogEntry[];
  runs: readonly JobRun[];
}): ReportResult {
  const inPeriod = input.emails.filter((entry) => entry.updatedAt >= input.from && entry.updatedAt <= input.to);
  const byJob = new Map<string, { job: string; sent: number; failed: number; attempts: number }>();
  for (const entry of inPeriod) {
    const row = byJob.get(entry.job) ?? { job: entry.job, sent: 0, failed: 0, attempts: 0 };
    row[entry.status] += 1;
    row.attempts += entry.attempts;
    byJob.set(entry.job, row);
  }
  const byStatus: Record<string, number> = {};
  const durations: number[] = [];
  let retried = 0;
  for (const run of input.runs) {
    byStatus[run.status] = (byStatus[run.status] ?? 0) + 1;
    if (run.attempts > 1) retried++;
    if (run.durationMs !== undefined && Number.isFinite(run.durationMs)) durations.push(run.durationMs);
  }
  durations.sort((a, b) => a - b);
  const sent = inPeriod.filter((entry) => entry.status === "sent").length;
  return {
    from: input.from,
    to: input.to,
    members: input.members,
    emails: {
      total: inPeriod.length,
      sent,
      failed: inPeriod.length - sent,
      byJob: [...byJob.values()].sort((a, b) => a.job.localeCompare(b.job)),
    },
    runs: {
      total: input.runs.length,
      byStatus,
      retried,
      avgDurationMs: durations.length ? Math.round(durations.reduce((sum, value) => sum + value, 0) / durations.length) : null,
      p95DurationMs: durations.length ? durations[Math.min(durations.length - 1, Math.ceil(durations.length * 0.95) - 1)]! : null,
    },
  };
}
