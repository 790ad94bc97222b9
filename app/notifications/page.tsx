import { redirect } from "next/navigation";
import { listNotifications, unreadCount } from "@/lib/notifications/store";
import { getServices } from "@/lib/services";
import { currentUser } from "../signin/session-cookie";
import { markReadAction, sendTestNotificationAction } from "./actions";

export const metadata = { title: "Notifications · Acme" };
export const dynamic = "force-dynamic";

export default async function NotificationsPage() {
  const user = await currentUser();
  if (!user) redirect("/signin?next=/notifications");
  const { redis } = getServices();
  const [items, unread] = await Promise.all([listNotifications(redis, user.id, 100), unreadCount(redis, user.id)]);
  const format = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: user.timeZone });
  return (
    <section>
      <h1>Notifications</h1>
      <p className="muted" data-testid="unread-count">
        {unread === 0 ? "You're all caught up." : `${unread} unread`}
      </p>
      <div style={{ display: "flex", gap: 8 }}>
        {unread > 0 ? (
          <form action={markReadAction}>
            <button type="submit" className="secondary">
              Mark all read
            </button>
          </form>
        ) : null}
        <form action={sendTestNotificationAction}>
          <button type="submit" className="secondary">
            Send me a test notification
          </button>
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
                  <div className="muted" style={{ fontWeight: 400, whiteSpace: "pre-line" }}>
                    {item.body}
                  </div>
                </td>
                <td>
                  {item.readAt ? (
                    <span className="muted">read</span>
                  ) : (
                    <form action={markReadAction}>
                      <input type="hidden" name="id" value={item.id} />
                      <button type="submit" className="secondary" style={{ marginTop: 0 }}>
                        Mark read
                      </button>
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
