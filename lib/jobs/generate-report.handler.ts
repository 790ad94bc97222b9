import { defineHandler, NonRetryableError } from "../job-runtime";
import { sendJobEmail } from "./send-job-email";
import { reportReadyEmail } from "../email/templates/report-ready";
import { getOrg, listMemberIds } from "../orgs/store";
import { collectReportInputs } from "../reports/collect";
import { aggregateReport } from "../reports/model";
import { getReport, saveReport } from "../reports/store";
import { generateReport } from "./generate-report";

const DAY_MS = 24 * 60 * 60 * 1000;

export default defineHandler(generateReport, async (payload, context) => {
  const { signal } = context;
  const org = await getOrg(context.redis, payload.orgId);
  if (!org) throw new NonRetryableError(`organisation ${payload.orgId} no longer exists`);
  const existing = await getReport(context.redis, payload.reportId);
  const base = existing ?? {
    id: payload.reportId,
    orgId: org.id,
    orgName: org.name,
    requestedBy: payload.requestedBy.userId,
    periodDays: payload.periodDays,
    status: "queued" as const,
    createdAt: context.clock.now(),
  };

  // A retry after a failed email must not compute (and change) the report again.
  let report = base;
  if (base.status !== "ready") {
    const startedAt = context.clock.now();
    await saveReport(context.redis, { ...base, status: "running", startedAt });
    const memberIds = await listMemberIds(context.redis, org.id);
    const inputs = await collectReportInputs(context.redis, memberIds, signal);
    const result = aggregateReport({
      from: startedAt - payload.periodDays * DAY_MS,
      to: startedAt,
      members: memberIds.length,
      ...inputs,
    });
    report = { ...base, status: "ready", startedAt, completedAt: context.clock.now(), result };
    await saveReport(context.redis, report);
  }

  const reportUrl = `${context.appUrl}/reports/${payload.reportId}`;
  const rendered = await reportReadyEmail({
    name: payload.requestedBy.name,
    orgName: report.orgName,
    periodDays: payload.periodDays,
    reportUrl,
  });
  const emailId = await sendJobEmail(context, {
    job: "generate-report",
    userId: payload.requestedBy.userId,
    to: payload.requestedBy.email,
    rendered,
  });
  return { reportId: payload.reportId, reportUrl, emailId };
});
