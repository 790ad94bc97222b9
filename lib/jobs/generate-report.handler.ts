import { defineHandler, NonRetryableError } from "../job-runtime";
import { getOrg, listMemberIds } from "../orgs/store";
import { collectReportInputs } from "../reports/collect";
import { aggregateReport } from "../reports/model";
import { getReport, saveReport } from "../reports/store";
import { generateReport } from "./generate-report";
import { reportReadyEmail } from "./report-ready-email";

const DAY_MS = 24 * 60 * 60 * 1000;

export default defineHandler(generateReport, async (payload, context) => {
  const { signal } = context;
  const redis = await context.redis();
  const org = await getOrg(redis, payload.orgId);
  if (!org) throw new NonRetryableError(`organisation ${payload.orgId} no longer exists`);
  const existing = await getReport(redis, payload.reportId);
  const base = existing ?? {
    id: payload.reportId,
    orgId: org.id,
    orgName: org.name,
    requestedBy: payload.requestedBy.userId,
    periodDays: payload.periodDays,
    status: "queued" as const,
    createdAt: context.clock.now(),
  };

  // A retry after a failed publish must not compute (and change) the report again.
  let report = base;
  if (base.status !== "ready") {
    const startedAt = context.clock.now();
    await saveReport(redis, { ...base, status: "running", startedAt });
    const memberIds = await listMemberIds(redis, org.id);
    const inputs = await collectReportInputs(redis, memberIds, signal);
    const result = aggregateReport({
      from: startedAt - payload.periodDays * DAY_MS,
      to: startedAt,
      members: memberIds.length,
      ...inputs,
    });
    report = { ...base, status: "ready", startedAt, completedAt: context.clock.now(), result };
    await saveReport(redis, report);
  }

  // Deduplicated by the report: a retry of this job (or a second delivery) publishes no second email,
  // and the email job's own key (the report id) stops a second send past QStash's dedup window.
  const email = await context.queue.enqueue(
    reportReadyEmail,
    {
      reportId: payload.reportId,
      orgName: report.orgName,
      periodDays: payload.periodDays,
      userId: payload.requestedBy.userId,
      email: payload.requestedBy.email,
      name: payload.requestedBy.name,
    },
    { deduplicationId: `report-ready-email-${payload.reportId}` },
  );
  return {
    reportId: payload.reportId,
    reportUrl: `${context.appUrl}/reports/${payload.reportId}`,
    emailMessageId: email.messageId,
  };
});
