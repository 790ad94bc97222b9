import { beforeEach, expect, test } from "vitest";
import { cancelEvent, createEvent, moveEvent } from "@/lib/flows/reminders";
import { getEvent, insertEvent } from "@/lib/events/store";
import { eventReminder } from "@/lib/jobs/event-reminder";
import { durableQueue } from "@/lib/jobs/outbox";
import { createUser, type User } from "@/lib/users/store";
import { outboxOutage } from "../../helpers/outbox-outage";
import { setupStackAndApp } from "../../helpers/stack-and-app";

// A reminder is written to the outbox with the event change that calls for it, so a
// QStash outage delays publishing it, never loses it; a move or cancel made before it
// left drops the waiting entry with the change.

const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;
let user: User;

const running = setupStackAndApp({ stackClock: true, reset: ["qstash", "resend", "redis"] });
const outage = outboxOutage(running);
beforeEach(async () => {
  const created = await createUser(
    running.app.services.redis,
    { email: "ada@example.com", name: "Ada", password: "correct horse", locale: "en", timeZone: "UTC" },
    running.stack.clock.now(),
  );
  if (!created.ok) throw new Error("user not created");
  user = created.user;
});

const reminders = () => outage.emailsTo("ada@example.com").filter((email) => email.subject.startsWith("Reminder:"));

async function create(title: string, startsInMs: number) {
  const result = await createEvent(running.app.services, {
    userId: user.id,
    title,
    startsAt: running.stack.clock.now() + startsInMs,
  });
  if (!result.ok) throw new Error(result.message);
  return result;
}

test("an event created while QStash refuses publishes keeps its reminder, published once after and sent on time", async () => {
  outage.start();
  const { event, reminderMessageId } = await create("Dentist", 3 * HOUR);
  expect(reminderMessageId).toBeUndefined();
  expect(event.reminderAt).toBe(event.startsAt - HOUR);
  expect(await outage.pending()).toBe(1);
  expect(await outage.messages("event-reminder", event.id)).toBe(0);

  const [first, second] = await outage.endAndSweep();
  expect(first.published).toHaveLength(1);
  expect(second.published).toEqual([]);
  expect(await outage.messages("event-reminder", event.id)).toBe(1);
  // Still due an hour before the start, as if it had been published straight away.
  expect((await running.app.qstash.messages.get(first.published[0]!.messageId)).notBefore).toBe(
    Math.ceil((event.startsAt - HOUR) / 1000) * 1000,
  );
  await running.stack.qstash.advance(2 * HOUR + MINUTE);
  await running.stack.qstash.idle();
  expect(reminders()).toHaveLength(1);
  expect(await getEvent(running.app.services.redis, event.id)).toMatchObject({ version: 1, remindedAt: expect.any(Number) });
});

test("moved during the outage: the waiting reminder is replaced, and only the new time's reminder is sent", async () => {
  outage.start();
  const { event } = await create("Review", 3 * HOUR);
  const moved = await moveEvent(running.app.services, {
    userId: user.id,
    eventId: event.id,
    startsAt: event.startsAt + 2 * HOUR,
  });
  if (!moved.ok) throw new Error(moved.message);
  expect(moved.event).toMatchObject({ version: 2, reminderAt: event.startsAt + HOUR });
  expect(await outage.pending()).toBe(1);

  const [first] = await outage.endAndSweep();
  expect(first.published).toHaveLength(1);
  expect(await outage.messages("event-reminder", event.id)).toBe(1);
  await running.stack.qstash.advance(2 * HOUR + MINUTE); // past the old reminder time
  expect(reminders()).toEqual([]);
  await running.stack.qstash.advance(2 * HOUR);
  await running.stack.qstash.idle();
  expect(reminders()).toHaveLength(1);
});

test("cancelled during the outage: the waiting reminder is dropped and nothing is ever sent", async () => {
  outage.start();
  const { event } = await create("Lunch", 3 * HOUR);
  expect((await cancelEvent(running.app.services, { userId: user.id, eventId: event.id })).ok).toBe(true);
  expect(await outage.pending()).toBe(0);

  const [first, second] = await outage.endAndSweep();
  expect([...first.published, ...second.published]).toEqual([]);
  await running.stack.qstash.advance(4 * HOUR);
  await running.stack.qstash.idle();
  expect(await outage.messages("event-reminder", event.id)).toBe(0);
  expect(reminders()).toEqual([]);
});

test("the event and its reminder written, then a crash before the publish: a sweep publishes the reminder once", async () => {
  const nowMs = running.stack.clock.now();
  const event = {
    id: `cal_${"c".repeat(32)}`,
    userId: user.id,
    title: "Standup",
    startsAt: nowMs + 3 * HOUR,
    status: "scheduled" as const,
    version: 1,
    createdAt: nowMs,
    updatedAt: nowMs,
  };
  const entry = durableQueue(running.app.services).prepare(
    eventReminder,
    { eventId: event.id, version: 1, startsAt: event.startsAt },
    { notBefore: Math.ceil((event.startsAt - HOUR) / 1000), label: "events" },
  );
  // What createEvent writes in its one transaction, and nothing after it.
  await insertEvent(running.app.services.redis, event, nowMs, { entry, reminderAt: event.startsAt - HOUR });

  const [first, second] = await outage.endAndSweep();
  expect([...first.published, ...second.published].map((published) => published.entryId)).toEqual([entry.id]);
  await running.stack.qstash.advance(2 * HOUR + MINUTE);
  await running.stack.qstash.idle();
  expect(reminders()).toHaveLength(1);
});

test("parallel moves of one event: each lands on its own version or is refused, and one reminder is sent", async () => {
  const { event } = await create("Planning", 3 * HOUR);
  const results = await Promise.all(
    Array.from({ length: 6 }, (_, n) =>
      moveEvent(running.app.services, { userId: user.id, eventId: event.id, startsAt: event.startsAt + (n + 1) * MINUTE }),
    ),
  );
  const moved = results.filter((result) => result.ok);
  expect(moved.length).toBeGreaterThanOrEqual(1);
  expect(results.filter((result) => !result.ok).every((result) => !result.ok && result.reason === "conflict")).toBe(true);
  const versions = moved.map((result) => (result.ok ? result.event.version : 0));
  expect(new Set(versions).size).toBe(moved.length);
  const final = await getEvent(running.app.services.redis, event.id);
  expect(final!.version).toBe(1 + moved.length);

  await running.stack.qstash.advance(4 * HOUR);
  await running.stack.qstash.idle();
  expect(reminders()).toHaveLength(1);
  expect(await getEvent(running.app.services.redis, event.id)).toMatchObject({
    version: final!.version,
    remindedAt: expect.any(Number),
  });
});
