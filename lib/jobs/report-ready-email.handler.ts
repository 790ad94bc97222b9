import { defineHandler } from "../job-runtime";
import { reportReadyEmail as renderReportReady } from "../email/templates/report-ready";
import { reportReadyEmail } from "./report-ready-email";
import { sendJobEmail } from "./send-job-email";

export default defineHandler(reportReadyEmail, async (payload, context) => {
  const reportUrl = `${context.appUrl}/reports/${payload.reportId}`;
  const rendered = await renderReportReady({
    name: payload.name,
    orgName: payload.orgName,
    periodDays: payload.periodDays,
    reportUrl,
  });
  const emailId = await sendJobEmail(context, {
    job: "report-ready-email",
    userId: payload.userId,
    to: payload.email,
    rendered,
  });
  return { reportId: payload.reportId, emailId };
});
