import { redirect } from "next/navigation";
import { listUserEvents } from "@/lib/events/store";
import { formatInZone, utcToZonedLocal } from "@/lib/events/time";
import { getServices } from "@/lib/services";
import { currentUser } from "../signin/session-cookie";
import { cancelEventAction, createEventAction, moveEventAction } from "./actions";

export const metadata = { title: "Events · Acme" };
export const dynamic = "force-dynamic";

/** Calendar events; each gets an email reminder one hour before it starts. */
export default async function EventsPage({ searchParams }: { searchParams: Promise<{ error?: string }> }) {
  const { error } = await searchParams;
  const user = await currentUser();
  if (!user) redirect("/signin?next=/events");
  const services = getServices();
  const events = await listUserEvents(services.redis, user.id);
  const nowMs = services.clock.now();
  const inAnHour = utcToZonedLocal(nowMs + 2 * 60 * 60 * 1000, user.timeZone);
  return (
    <section>
      <h1>Events</h1>
      <p className="muted">We email you a reminder one hour before each event. Times are in {user.timeZone}.</p>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      <form action={createEventAction} className="card">
        <label htmlFor="title">Title</label>
        <input id="title" name="title" required maxLength={200} />
        <label htmlFor="startsAt">Starts at</label>
        <input id="startsAt" name="startsAt" type="datetime-local" required defaultValue={inAnHour} />
        <button type="submit">Add event</button>
      </form>
      {events.length === 0 ? (
        <p className="muted">No events yet.</p>
      ) : (
        <table data-testid="events" style={{ marginTop: 24 }}>
          <thead>
            <tr>
              <th>Event</th>
              <th>Reminder</th>
              <th>Change</th>
            </tr>
          </thead>
          <tbody>
            {events.map((event) => (
              <tr key={event.id}>
                <td>
                  <strong>{event.title}</strong>
                  <div className="muted">{formatInZone(event.startsAt, user.timeZone)}</div>
                </td>
                <td>
                  {event.status === "cancelled"
                    ? "cancelled"
                    : event.remindedAt
                      ? "sent"
                      : event.reminderAt
                        ? `due ${formatInZone(event.reminderAt, user.timeZone)}`
                        : event.startsAt <= nowMs
                          ? "past"
                          : "none"}
                </td>
                <td>
                  {event.status === "scheduled" && event.startsAt > nowMs ? (
                    <>
                      <form action={moveEventAction} style={{ display: "flex", gap: 8, alignItems: "end" }}>
                        <input type="hidden" name="eventId" value={event.id} />
                        <input
                          name="startsAt"
                          type="datetime-local"
                          required
                          defaultValue={utcToZonedLocal(event.startsAt, user.timeZone)}
                          aria-label="New start"
                        />
                        <button type="submit" className="secondary">
                          Move
                        </button>
                      </form>
                      <form action={cancelEventAction}>
                        <input type="hidden" name="eventId" value={event.id} />
                        <button type="submit" className="danger">
                          Cancel
                        </button>
                      </form>
                    </>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
