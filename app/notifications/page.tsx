import { cookies } from "next/headers";
import { listNotifications, unreadCount } from "@/lib/notifications/store";
import { getServices } from "@/lib/services";
import { getSessionUserId, SESSION_COOKIE } from "@/lib/sessions";
import { getUser } from "@/lib/users/store";
import { markReadAction, sendTestNotificationAction } from "./actions";

export const metadata = { title: "Notifications · Acme" };
export const dynamic = "force-dynamic";

export default async function NotificationsPage() {
  const services = getServices();
  const userId = await getSessionUserId(services.redis, (await cookies()).get(SESSION_COOKIE)?.value);
  if (!userId) {
    return (
      <section>
        <h1>Notifications</h1>
        <p>
          <a href="/signin?next=/notifications">Sign in</a> to see your notifications. New here? <a href="/signup">Create an account</a>.
        </p>
      </section>
    );
  }
  const [user, items, unread] = await Promise.all([
    getUser(services.redis, userId),
    listNotifications(services.redis, userId, 100),
    unreadCount(services.redis, userId),
  ]);
  const format = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: user?.timeZone ?? "UTC" });
  return (
    <section>
      <h1>Notifications</h1>
      <p className="muted" data-testid="unread-count">
        {unread === 0 ? "You're all caught up." : `${unread} unread`}
      </p>
      <div style={{ display: "flex", gap: 8 }}>
        {unread > 0 ? (
          <form action={markReadAction}>
            <button type="submit" className="secondary">Mark all read</button>
          </form>
        ) : null}
        <form action={sendTestNotificationAction}>
          <button type="submit" className="secondary">Send me a test notification</button>
        </form>
      </div>
      {items.length === 0 ? (
        <p className="muted">No notifications yet.</p>
      ) : (
        <table data-testid="notifications">
          <tbody>
            {items.map((item) => (
              <tr key={item.id} style={item.readAt ? undefined : { fontWeight: 600 }}>
                <td>{format.format(item.createdAt)}</td>
                <td>
                  {item.link ? <a href={item.link}>{item.title}</a> : item.title}
                  <div className="muted" style={{ fontWeight: 400, whiteSpace: "pre-line" }}>{item.body}</div>
                </td>
                <td>
                  {item.readAt ? (
                    <span className="muted">read</span>
                  ) : (
                    <form action={markReadAction}>
                      <input type="hidden" name="id" value={item.id} />
                      <button type="submit" className="secondary" style={{ marginTop: 0 }}>Mark read</button>
                    </form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
