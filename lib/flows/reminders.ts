import { QstashError } from "@upstash/qstash";
import * as z from "zod/mini";
import { eventReminder } from "../jobs/event-reminder";
import { durableQueue } from "../jobs/outbox";
import { randomHex } from "../orgs/store";
import type { Services } from "../deps";
import {
  cancelEventRecord,
  insertEvent,
  moveEventRecord,
  getEvent,
  setReminder,
  type CalendarEvent,
  type EventChange,
  type PendingReminder,
} from "../events/store";
import { log } from "../job-runtime";

/** Reminders go out this long before an event starts. */
export const REMINDER_LEAD_MS = 60 * 60 * 1000;
/** Events may be planned at most this far ahead. */
const MAX_HORIZON_MS = 366 * 24 * 60 * 60 * 1000;
/** A move prepared for a version another change just replaced is prepared again, this many times at most. */
const MOVE_ATTEMPTS = 3;

const eventTitle = z.string().check(z.trim(), z.minLength(1, "Enter a title"), z.maxLength(200, "Use at most 200 characters"));

/**
 * Pure: when the reminder for an event starting at `startsAtMs` is due, or null
 * when the event has already started. An event less than an hour away is reminded now.
 */
export function reminderDueAt(startsAtMs: number, nowMs: number, leadMs = REMINDER_LEAD_MS): number | null {
  if (startsAtMs <= nowMs) return null;
  return Math.max(startsAtMs - leadMs, nowMs);
}

/**
 * `reminderMessageId` is set once QStash accepted the reminder; while it waits
 * in the outbox (QStash unreachable) the event shows `reminderAt` without it.
 */
export type EventResult =
  | { ok: true; event: CalendarEvent; reminderMessageId?: string }
  | { ok: false; reason: "invalid" | "not_found" | "cancelled" | "conflict"; message: string };

/** `cal_` + 128 random bits in hex. */
function newEventId(): string {
  return `cal_${randomHex(16)}`;
}

function checkStart(startsAt: number, nowMs: number): string | null {
  if (!Number.isFinite(startsAt)) return "Pick a date and time";
  if (startsAt <= nowMs) return "Pick a time in the future";
  if (startsAt > nowMs + MAX_HORIZON_MS) return "Pick a time within the next year";
  return null;
}

export async function createEvent(
  services: Services,
  input: { userId: string; title: unknown; startsAt: number },
): Promise<EventResult> {
  const nowMs = services.clock.now();
  const title = eventTitle.safeParse(input.title);
  if (!title.success) return { ok: false, reason: "invalid", message: title.error.issues[0]!.message };
  const problem = checkStart(input.startsAt, nowMs);
  if (problem) return { ok: false, reason: "invalid", message: problem };
  const event: CalendarEvent = {
    id: newEventId(),
    userId: input.userId,
    title: title.data,
    startsAt: input.startsAt,
    status: "scheduled",
    version: 1,
    createdAt: nowMs,
    updatedAt: nowMs,
  };
  // The event and its reminder's outbox entry in one transaction: an event never lacks its reminder.
  const reminder = pendingReminder(services, event);
  await insertEvent(services.redis, event, nowMs, reminder);
  return publishReminder(services, event, reminder);
}

/**
 * Moves the event: the new version's reminder is written with the move (one
 * script, which also drops a reminder for the old version still waiting in the
 * outbox), the old one is cancelled through the QStash messages API, and the new
 * one is published. Should the cancel miss (already in flight, or published by
 * a sweep whose message id we never learned), the old reminder still finds the
 * version changed and skips.
 */
export async function moveEvent(
  services: Services,
  input: { userId: string; eventId: string; startsAt: number },
): Promise<EventResult> {
  const nowMs = services.clock.now();
  const problem = checkStart(input.startsAt, nowMs);
  if (problem) return { ok: false, reason: "invalid", message: problem };
  for (let attempt = 0; attempt < MOVE_ATTEMPTS; attempt++) {
    const current = await getEvent(services.redis, input.eventId);
    if (!current || current.userId !== input.userId) return failure({ state: "not_found" });
    if (current.status === "cancelled") return failure({ state: "cancelled" });
    // The reminder names the version the move writes; the script refuses if another change got there first.
    const reminder = pendingReminder(services, { ...current, version: current.version + 1, startsAt: input.startsAt });
    const changed = await moveEventRecord(services.redis, { ...input, nowMs, expectedVersion: current.version, reminder });
    if (changed.state === "stale") continue;
    if (changed.state !== "changed") return failure(changed);
    await cancelReminderMessage(services, changed.previousReminderMessageId);
    return publishReminder(services, changed.event, reminder);
  }
  return { ok: false, reason: "conflict", message: "This event was just changed elsewhere. Please try again." };
}

export async function cancelEvent(services: Services, input: { userId: string; eventId: string }): Promise<EventResult> {
  const changed = await cancelEventRecord(services.redis, { ...input, nowMs: services.clock.now() });
  if (changed.state !== "changed") return failure(changed);
  await cancelReminderMessage(services, changed.previousReminderMessageId);
  return { ok: true, event: changed.event };
}

function failure(changed: Exclude<EventChange, { state: "changed" | "stale" }>): EventResult {
  return changed.state === "cancelled"
    ? { ok: false, reason: "cancelled", message: "This event was cancelled." }
    : { ok: false, reason: "not_found", message: "This event doesn't exist." };
}

/** The reminder `event` (at its version and start) is owed, as an outbox entry; null once it has started. */
function pendingReminder(
  services: Services,
  event: Pick<CalendarEvent, "id" | "version" | "startsAt">,
): PendingReminder | undefined {
  const nowMs = services.clock.now();
  const dueAt = reminderDueAt(event.startsAt, nowMs);
  if (dueAt === null) return undefined;
  const entry = durableQueue(services).prepare(
    eventReminder,
    { eventId: event.id, version: event.version, startsAt: event.startsAt },
    // QStash takes whole seconds; rounding up never reminds early.
    { ...(dueAt > nowMs && { notBefore: Math.ceil(dueAt / 1000) }), label: "events" },
  );
  return { entry, reminderAt: dueAt };
}

/** Publishes the reminder just written and records its message id, so a later move or cancel can withdraw it. */
async function publishReminder(
  services: Services,
  event: CalendarEvent,
  reminder: PendingReminder | undefined,
): Promise<EventResult> {
  if (!reminder) return { ok: true, event };
  const scheduled = { ...event, reminderAt: reminder.reminderAt };
  const { published } = await durableQueue(services).publish([reminder.entry]);
  const messageId = published[0]?.messageId;
  // QStash unreachable: the reminder waits in the outbox and a sweep publishes it.
  if (!messageId) return { ok: true, event: scheduled };
  const recorded = await setReminder(services.redis, {
    eventId: event.id,
    version: event.version,
    messageId,
    reminderAt: reminder.reminderAt,
  });
  if (!recorded) {
    // Moved or cancelled while we published: this reminder is already stale.
    await cancelReminderMessage(services, messageId);
    return { ok: true, event };
  }
  return { ok: true, event: { ...scheduled, reminderMessageId: messageId }, reminderMessageId: messageId };
}

/**
 * Withdraws a pending reminder. 404 means it was delivered or is gone already;
 * any other failure is logged, not thrown: the handler's version check is the backstop.
 */
async function cancelReminderMessage(services: Pick<Services, "qstash">, messageId: string | undefined): Promise<boolean> {
  if (!messageId) return false;
  try {
    const { cancelled } = await services.qstash.messages.cancel(messageId);
    return cancelled > 0;
  } catch (error) {
    if (!(error instanceof QstashError && error.status === 404)) {
      log.warn("reminder_cancel_failed", { messageId, error });
    }
    return false;
  }
}
