import { beforeEach, describe, expect, test } from "vitest";
import { cancelEvent, createEvent, moveEvent } from "@/lib/flows/reminders";
import { getEvent } from "@/lib/events/store";
import { eventReminder } from "@/lib/jobs/event-reminder";
import { createUser, type User } from "@/lib/users/store";
import { setupStackAndApp } from "../../helpers/stack-and-app";

// Reminders published with notBefore on the local QStash; the clock moves only through advance().
let user: User;
const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;

const running = setupStackAndApp({ stackClock: true, reset: ["qstash", "resend", "redis"] });
beforeEach(async () => {
  const created = await createUser(
    running.app.services.redis,
    { email: "ada@example.com", name: "Ada", password: "correct horse", locale: "en", timeZone: "Asia/Ulaanbaatar" },
    running.stack.clock.now(),
  );
  if (!created.ok) throw new Error("user not created");
  user = created.user;
});

const reminders = () => running.stack.resend.emails().filter((email) => email.subject.startsWith("Reminder:"));

async function newEvent(title: string, startsInMs: number) {
  const result = await createEvent(running.app.services, {
    userId: user.id,
    title,
    startsAt: running.stack.clock.now() + startsInMs,
  });
  if (!result.ok) throw new Error(result.message);
  expect(result.reminderMessageId).toBeDefined();
  return result;
}

describe("event reminders", () => {
  test("a reminder cancelled before it fires sends nothing", async () => {
    const { event, reminderMessageId } = await newEvent("Dentist", 3 * HOUR);
    // notBefore is whole seconds, rounded up so a reminder is never early.
    expect((await running.app.qstash.messages.get(reminderMessageId!)).notBefore).toBe(
      Math.ceil((event.startsAt - HOUR) / 1000) * 1000,
    );

    expect((await cancelEvent(running.app.services, { userId: user.id, eventId: event.id })).ok).toBe(true);
    // Withdrawn through the messages API: QStash no longer has it.
    await expect(running.app.qstash.messages.get(reminderMessageId!)).rejects.toMatchObject({ status: 404 });

    await running.stack.qstash.advance(3 * HOUR);
    await running.stack.qstash.idle();
    expect(reminders()).toEqual([]);
  });

  test("a moved event sends one reminder, at the new time", async () => {
    const { event, reminderMessageId: first } = await newEvent("Review", 3 * HOUR);
    const moved = await moveEvent(running.app.services, {
      userId: user.id,
      eventId: event.id,
      startsAt: event.startsAt + 2 * HOUR,
    });
    if (!moved.ok) throw new Error(moved.message);
    await expect(running.app.qstash.messages.get(first!)).rejects.toMatchObject({ status: 404 });

    // Past the old reminder time: nothing.
    await running.stack.qstash.advance(2 * HOUR + MINUTE);
    expect(reminders()).toEqual([]);

    // Past the new reminder time (start + 2 h − 1 h): exactly one.
    await running.stack.qstash.advance(2 * HOUR);
    await running.stack.qstash.idle();
    expect(reminders()).toHaveLength(1);
    const [email] = reminders();
    expect(email).toMatchObject({ to: ["ada@example.com"], subject: "Reminder: Review starts in 1 hour" });
    expect(Date.parse(email!.createdAt)).toBeGreaterThanOrEqual(moved.event.startsAt - HOUR);
    expect(await getEvent(running.app.services.redis, event.id)).toMatchObject({
      version: 2,
      remindedAt: Date.parse(email!.createdAt),
    });

    await running.stack.qstash.advance(3 * HOUR);
    expect(reminders()).toHaveLength(1);
  });

  test("a reminder already in flight when the event moves finishes as skipped", async () => {
    const { event, reminderMessageId } = await newEvent("Standup", 3 * HOUR);
    // The cancel misses (as if QStash had already started the delivery): simulate by re-publishing the old payload.
    await moveEvent(running.app.services, { userId: user.id, eventId: event.id, startsAt: event.startsAt + HOUR });
    const stale = await running.app.services.queue.enqueue(eventReminder, {
      eventId: event.id,
      version: 1,
      startsAt: event.startsAt,
    });
    expect(stale.messageId).not.toBe(reminderMessageId);
    await running.stack.qstash.idle();
    expect(reminders()).toEqual([]);
    const { logs } = await running.app.qstash.logs({ filter: { messageId: stale.messageId } });
    expect(logs.map((log) => log.state)).toContain("DELIVERED");
  });
});
