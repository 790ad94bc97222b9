import { redirect } from "next/navigation";
import { formatInZone } from "@/lib/events/time";
import { listUserOrgs } from "@/lib/orgs/store";
import { PERIOD_DAYS } from "@/lib/flows/request-report";
import { listOrgReports } from "@/lib/reports/store";
import { getServices } from "@/lib/services";
import { currentUser } from "../signin/session-cookie";
import { requestReportAction } from "./actions";

export const metadata = { title: "Reports · Acme" };
export const dynamic = "force-dynamic";

/** Delivery reports of the user's organisations; generating one is a background job. */
export default async function ReportsPage({ searchParams }: { searchParams: Promise<{ error?: string }> }) {
  const { error } = await searchParams;
  const user = await currentUser();
  if (!user) redirect("/signin?next=/reports");
  const services = getServices();
  const orgs = await listUserOrgs(services.redis, user.id);
  const reports = await Promise.all(orgs.map((org) => listOrgReports(services.redis, org.id, 10)));
  return (
    <section>
      <h1>Reports</h1>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      {orgs.length === 0 ? (
        <p className="muted">
          You're not in an organisation yet. <a href="/orgs">Create one</a> to get delivery reports.
        </p>
      ) : (
        <form action={requestReportAction} className="card">
          <label htmlFor="orgId">Organisation</label>
          <select id="orgId" name="orgId">
            {orgs.map((org) => (
              <option key={org.id} value={org.id}>
                {org.name}
              </option>
            ))}
          </select>
          <label htmlFor="periodDays">Period</label>
          <select id="periodDays" name="periodDays" defaultValue="30">
            {PERIOD_DAYS.map((days) => (
              <option key={days} value={days}>
                Last {days} days
              </option>
            ))}
          </select>
          <button type="submit">Generate report</button>
        </form>
      )}
      {orgs.map((org, index) =>
        reports[index]!.length === 0 ? null : (
          <div key={org.id} style={{ marginTop: 24 }}>
            <h2>{org.name}</h2>
            <ul>
              {reports[index]!.map((report) => (
                <li key={report.id}>
                  <a href={`/reports/${report.id}`}>
                    Last {report.periodDays} days, requested {formatInZone(report.createdAt, user.timeZone)}
                  </a>{" "}
                  <span className="muted">({report.status})</span>
                </li>
              ))}
            </ul>
          </div>
        ),
      )}
    </section>
  );
}
