import { cookies } from "next/headers";
import { listEmailLog } from "@/lib/email-log/store";
import { getServices } from "@/lib/services";
import { getSessionUserId, SESSION_COOKIE } from "@/lib/sessions";
import { getUser } from "@/lib/users/store";

export const metadata = { title: "Your emails · Acme" };
export const dynamic = "force-dynamic";

/** Every email a job sent (or tried to send) to the signed-in user, newest first. */
export default async function EmailLogPage() {
  const services = getServices();
  const userId = await getSessionUserId(services.redis, (await cookies()).get(SESSION_COOKIE)?.value);
  if (!userId) {
    return (
      <section>
        <h1>Your emails</h1>
        <p>
          <a href="/signin?next=/account/emails">Sign in</a> to see the emails we sent you. New here? <a href="/signup">Create an account</a>.
        </p>
      </section>
    );
  }
  const [user, entries] = await Promise.all([getUser(services.redis, userId), listEmailLog(services.redis, userId, 100)]);
  const format = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: user?.timeZone ?? "UTC" });
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
