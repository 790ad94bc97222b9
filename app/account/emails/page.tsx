import { redirect } from "next/navigation";
import { listEmailLog } from "@/lib/email-log/store";
import { getServices } from "@/lib/services";
import { currentUser } from "../../signin/session-cookie";

export const metadata = { title: "Your emails · Acme" };
export const dynamic = "force-dynamic";

/** Every email a job sent (or tried to send) to the signed-in user, newest first. */
export default async function EmailLogPage() {
  const user = await currentUser();
  if (!user) redirect("/signin?next=/account/emails");
  const entries = await listEmailLog(getServices().redis, user.id, 100);
  const format = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: user.timeZone });
  return (
    <section>
      <h1>Your emails</h1>
      {entries.length === 0 ? (
        <p className="muted">No emails yet.</p>
      ) : (
        <table data-testid="email-log">
          <thead>
            <tr>
              <th>Sent</th>
              <th>Subject</th>
              <th>Status</th>
              <th>Attempts</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => (
              <tr key={entry.key}>
                <td>{format.format(entry.updatedAt)}</td>
                <td>
                  {entry.subject}
                  <div className="muted">{entry.job}</div>
                </td>
                <td className={entry.status === "sent" ? "ok" : "error"}>
                  {entry.status}
                  {entry.lastError && entry.status === "failed" ? <div className="muted">{entry.lastError}</div> : null}
                </td>
                <td>{entry.attempts}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
