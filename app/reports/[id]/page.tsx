import { notFound, redirect } from "next/navigation";
import { formatInZone } from "@/lib/events/time";
import { isMember } from "@/lib/orgs/store";
import { getReport } from "@/lib/reports/store";
import { getServices } from "@/lib/services";
import { currentUser } from "../../signin/session-cookie";

export const metadata = { title: "Report · Acme", robots: { index: false } };
export const dynamic = "force-dynamic";

/** One stored report, for members of its organisation. */
export default async function ReportPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const user = await currentUser();
  if (!user) redirect(`/signin?next=${encodeURIComponent(`/reports/${id}`)}`);
  const services = getServices();
  const report = /^rep_[0-9a-f]{32}$/.test(id) ? await getReport(services.redis, id) : null;
  // Not a member reads the same as not found: the page never confirms a report exists.
  if (!report || !(await isMember(services.redis, report.orgId, user.id))) notFound();

  if (report.status !== "ready" || !report.result) {
    return (
      <section>
        <h1>
          {report.orgName}: last {report.periodDays} days
        </h1>
        <p data-testid="report-status">
          Generating… ({report.status}). We'll email you the link when it's ready; reload this page any time.
        </p>
      </section>
    );
  }
  const { result } = report;
  return (
    <section>
      <h1>
        {report.orgName}: last {report.periodDays} days
      </h1>
      <p className="muted">
        {formatInZone(result.from, user.timeZone)} – {formatInZone(result.to, user.timeZone)} · {result.members} members
      </p>
      <h2>Emails</h2>
      <p data-testid="report-emails">
        {result.emails.total} emails: {result.emails.sent} sent, {result.emails.failed} failed
      </p>
      {result.emails.byJob.length > 0 ? (
        <table>
          <thead>
            <tr>
              <th>Job</th>
              <th>Sent</th>
              <th>Failed</th>
              <th>Attempts</th>
            </tr>
          </thead>
          <tbody>
            {result.emails.byJob.map((row) => (
              <tr key={row.job}>
                <td>{row.job}</td>
                <td>{row.sent}</td>
                <td>{row.failed}</td>
                <td>{row.attempts}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <h2>Job runs</h2>
      <p>
        {result.runs.total} runs on record, {result.runs.retried} needed a retry.
        {result.runs.avgDurationMs !== null
          ? ` Average ${result.runs.avgDurationMs} ms, p95 ${result.runs.p95DurationMs} ms.`
          : ""}
      </p>
      <ul>
        {Object.entries(result.runs.byStatus).map(([status, count]) => (
          <li key={status}>
            {status}: {count}
          </li>
        ))}
      </ul>
    </section>
  );
}
