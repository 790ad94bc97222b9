import * as z from "zod/mini";
import { listSchedules, type ScheduleSummary } from "@/lib/admin/schedules";
import type { DlqEntry, DlqEntryDetail } from "@/lib/dlq/decode";
import { dlqFilterInputSchema } from "@/lib/dlq/filters";
import { getDlqEntry, listDlq } from "@/lib/dlq/operations";
import { type JobRun, listRecentRuns, log } from "@/lib/job-runtime";
import type { Services } from "@/lib/deps";
import { type Filter, filterInput, RUNS_SHOWN } from "./view";

export interface AdminData {
  runs: JobRun[] | null;
  dlq: { messages: DlqEntry[]; cursor?: string } | null;
  schedules: ScheduleSummary[] | null;
  loadError: string | null;
  detail: DlqEntryDetail | null;
  detailError: string | null;
  loadedAt: number;
}

/**
 * Everything the page shows, read on the server, so it is all there in the
 * first HTML (without JavaScript too); the dashboard then keeps it fresh
 * through the admin API.
 */
export async function loadAdminData(
  services: Pick<Services, "redis" | "qstash" | "clock">,
  filter: Filter,
  focusDlqId: string | undefined,
): Promise<AdminData> {
  const parsed = dlqFilterInputSchema.safeParse(filterInput(filter));
  const [runs, dlq, schedules, detail] = await Promise.allSettled([
    listRecentRuns(services.redis, RUNS_SHOWN),
    parsed.success ? listDlq(services.qstash, { filter: parsed.data }) : Promise.reject(new Error("invalid filter")),
    listSchedules(services.qstash),
    focusDlqId ? getDlqEntry(services.qstash, focusDlqId) : Promise.resolve(null),
  ]);
  const problems = [runs, dlq, schedules].filter((result) => result.status === "rejected");
  for (const problem of problems) log.error("admin_page_load_failed", { error: problem.reason });
  const loadError = !parsed.success
    ? `invalid filter: ${z.prettifyError(parsed.error)}`
    : problems.length > 0
      ? "could not read everything; showing what could be read"
      : null;
  return {
    runs: runs.status === "fulfilled" ? runs.value : null,
    dlq:
      dlq.status === "fulfilled" ? { messages: dlq.value.entries, ...(dlq.value.cursor && { cursor: dlq.value.cursor }) } : null,
    schedules: schedules.status === "fulfilled" ? schedules.value : null,
    loadError,
    detail: detail.status === "fulfilled" ? detail.value : null,
    detailError:
      focusDlqId && (detail.status === "rejected" || detail.value === null) ? `${focusDlqId}: no such DLQ message` : null,
    loadedAt: services.clock.now(),
  };
}
