import { http, HttpResponse } from "msw";
import { afterEach, describe, expect, test } from "vitest";
import { cancelEvent, createEvent, moveEvent, REMINDER_LEAD_MS, reminderDueAt } from "@/lib/flows/reminders";
import { getEvent } from "@/lib/events/store";
import { formatInZone, utcToZonedLocal, zonedLocalToUtc } from "@/lib/events/time";
import { testEnv } from "../../helpers/env";
import { fakeServices } from "../../helpers/fake-services";
import { setupMemoryRedis } from "../../helpers/msw";
import { qstashHandlers } from "../../msw/qstash";

const env = testEnv();
const cancelled: string[] = [];
let cancelStatus = 200;
// Reminders are published through the outbox with the services' QStash client: msw answers it.
const qstash = qstashHandlers(env.QSTASH_URL);
setupMemoryRedis(
  env.UPSTASH_REDIS_REST_URL,
  ...qstash.handlers,
  http.delete(`${env.QSTASH_URL}/v2/messages/:id`, ({ params }) => {
    cancelled.push(String(params.id));
    if (cancelStatus === 404) return HttpResponse.json({ error: "message not found" }, { status: 404 });
    if (cancelStatus >= 500) return HttpResponse.json({ error: "down" }, { status: cancelStatus });
    return HttpResponse.json({ cancelled: 1 });
  }),
);
afterEach(() => {
  cancelled.length = 0;
  cancelStatus = 200;
  qstash.reset();
});

const NOW = Date.UTC(2026, 0, 15, 9, 0);
const HOUR = 60 * 60 * 1000;

describe("reminderDueAt", () => {
  test("one hour before the start; now if the event is closer; null once started", () => {
    expect(reminderDueAt(NOW + 3 * HOUR, NOW)).toBe(NOW + 2 * HOUR);
    expect(reminderDueAt(NOW + HOUR, NOW)).toBe(NOW);
    expect(reminderDueAt(NOW + 10 * 60_000, NOW)).toBe(NOW);
    expect(reminderDueAt(NOW, NOW)).toBeNull();
    expect(REMINDER_LEAD_MS).toBe(HOUR);
  });
});

describe("calendar events and their reminders", () => {
  test("create publishes one reminder with notBefore = start − 1 h and stores its message id", async () => {
    const { services } = fakeServices({ env, nowMs: NOW });
    const result = await createEvent(services, { userId: "usr_1", title: "Standup", startsAt: NOW + 3 * HOUR });
    if (!result.ok) throw new Error(result.message);

    expect(qstash.jobs()).toHaveLength(1);
    expect(qstash.jobs()[0]).toMatchObject({
      job: "event-reminder",
      payload: { eventId: result.event.id, version: 1, startsAt: NOW + 3 * HOUR },
      headers: { "upstash-not-before": String((NOW + 2 * HOUR) / 1000), "upstash-label": "event-reminder,events" },
    });
    expect(await getEvent(services.redis, result.event.id)).toMatchObject({
      status: "scheduled",
      version: 1,
      reminderMessageId: "msg_1",
      reminderAt: NOW + 2 * HOUR,
    });
  });

  test("an event less than an hour away is reminded right away (no notBefore)", async () => {
    const { services } = fakeServices({ env, nowMs: NOW });
    await createEvent(services, { userId: "usr_1", title: "Soon", startsAt: NOW + 20 * 60_000 });
    expect(qstash.jobs()[0]!.headers["upstash-not-before"]).toBeUndefined();
  });

  test.each([
    ["an empty title", { title: " ", startsAt: NOW + HOUR }, "Enter a title"],
    ["a time in the past", { title: "x", startsAt: NOW - 1 }, "Pick a time in the future"],
    ["no time", { title: "x", startsAt: Number.NaN }, "Pick a date and time"],
    ["more than a year ahead", { title: "x", startsAt: NOW + 400 * 24 * HOUR }, "Pick a time within the next year"],
  ])("refuses %s, publishing nothing", async (_name, input, message) => {
    const { services } = fakeServices({ env, nowMs: NOW });
    expect(await createEvent(services, { userId: "usr_1", ...input })).toEqual({ ok: false, reason: "invalid", message });
    expect(qstash.jobs()).toEqual([]);
  });

  test("move cancels the pending reminder through the messages API and publishes one for the new time", async () => {
    const { services } = fakeServices({ env, nowMs: NOW });
    const created = await createEvent(services, { userId: "usr_1", title: "Review", startsAt: NOW + 3 * HOUR });
    if (!created.ok) throw new Error(created.message);

    const moved = await moveEvent(services, { userId: "usr_1", eventId: created.event.id, startsAt: NOW + 5 * HOUR });
    expect(moved.ok).toBe(true);
    expect(cancelled).toEqual(["msg_1"]);
    expect(qstash.jobs()[1]).toMatchObject({
      payload: { eventId: created.event.id, version: 2, startsAt: NOW + 5 * HOUR },
      headers: { "upstash-not-before": String((NOW + 4 * HOUR) / 1000) },
    });
    expect(await getEvent(services.redis, created.event.id)).toMatchObject({
      version: 2,
      reminderMessageId: "msg_2",
      startsAt: NOW + 5 * HOUR,
    });
  });

  test("cancel withdraws the reminder and publishes nothing new", async () => {
    const { services } = fakeServices({ env, nowMs: NOW });
    const created = await createEvent(services, { userId: "usr_1", title: "Lunch", startsAt: NOW + 3 * HOUR });
    if (!created.ok) throw new Error(created.message);

    expect((await cancelEvent(services, { userId: "usr_1", eventId: created.event.id })).ok).toBe(true);
    expect(cancelled).toEqual(["msg_1"]);
    expect(qstash.jobs()).toHaveLength(1);
    const event = await getEvent(services.redis, created.event.id);
    expect(event).toMatchObject({ status: "cancelled", version: 2 });
    expect(event?.reminderMessageId).toBeUndefined();
    expect(await cancelEvent(services, { userId: "usr_1", eventId: created.event.id })).toMatchObject({
      ok: false,
      reason: "cancelled",
    });
    expect(await moveEvent(services, { userId: "usr_1", eventId: created.event.id, startsAt: NOW + 4 * HOUR })).toMatchObject({
      ok: false,
      reason: "cancelled",
    });
  });

  test("a reminder QStash already delivered (404) or an unreachable QStash does not fail the change", async () => {
    const { services } = fakeServices({ env, nowMs: NOW });
    const created = await createEvent(services, { userId: "usr_1", title: "A", startsAt: NOW + 3 * HOUR });
    if (!created.ok) throw new Error(created.message);
    cancelStatus = 404;
    expect((await moveEvent(services, { userId: "usr_1", eventId: created.event.id, startsAt: NOW + 4 * HOUR })).ok).toBe(true);
    cancelStatus = 503;
    expect((await cancelEvent(services, { userId: "usr_1", eventId: created.event.id })).ok).toBe(true);
  });

  test("someone else's event is not found", async () => {
    const { services } = fakeServices({ env, nowMs: NOW });
    const created = await createEvent(services, { userId: "usr_1", title: "Mine", startsAt: NOW + 3 * HOUR });
    if (!created.ok) throw new Error(created.message);
    expect(await cancelEvent(services, { userId: "usr_2", eventId: created.event.id })).toMatchObject({
      ok: false,
      reason: "not_found",
    });
    expect(cancelled).toEqual([]);
  });
});

describe("time zones", () => {
  test("wall-clock times round-trip through a zone", () => {
    const utc = zonedLocalToUtc("2026-01-15T14:00", "Asia/Ulaanbaatar");
    expect(utc).toBe(Date.UTC(2026, 0, 15, 6, 0));
    expect(utcToZonedLocal(utc!, "Asia/Ulaanbaatar")).toBe("2026-01-15T14:00");
    expect(zonedLocalToUtc("2026-07-01T09:00", "America/New_York")).toBe(Date.UTC(2026, 6, 1, 13, 0));
    expect(zonedLocalToUtc("tomorrow", "UTC")).toBeNull();
    const shown = formatInZone(Date.UTC(2026, 0, 15, 6, 0), "Asia/Ulaanbaatar");
    expect(shown).toMatch(/^Thursday,? 15 January 2026\b.*\b14:00 \(Asia\/Ulaanbaatar\)$/);
  });
});
