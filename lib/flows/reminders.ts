import { QstashError } from "@upstash/qstash";
import { z } from "zod";
import { eventReminder } from "../jobs/event-reminder";
import { randomHex } from "../orgs/store";
import type { Services } from "../deps";
import {
  cancelEventRecord,
  insertEvent,
  moveEventRecord,
  setReminder,
  type CalendarEvent,
  type EventChange,
} from "../events/store";
import { log } from "../job-runtime";

/** Reminders go out this long before an event starts. */
export const REMINDER_LEAD_MS = 60 * 60 * 1000;
/** Events may be planned at most this far ahead. */
const MAX_HORIZON_MS = 366 * 24 * 60 * 60 * 1000;

const eventTitle = z.string().trim().min(1, "Enter a title").max(200, "Use at most 200 characters");

/**
 * Pure: when the reminder for an event starting at `startsAtMs` is due, or null
 * when the event has already started. An event less than an hour away is reminded now.
 */
export function reminderDueAt(startsAtMs: number, nowMs: number, leadMs = REMINDER_LEAD_MS): number | null {
  if (startsAtMs <= nowMs) return null;
  return Math.max(startsAtMs - leadMs, nowMs);
}

export type EventResult =
  | { ok: true; event: CalendarEvent; reminderMessageId?: string }
  | { ok: false; reason: "invalid" | "not_found" | "cancelled"; message: string };

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
  await insertEvent(services.redis, event, nowMs);
  return withReminder(services, event);
}

/**
 * Moves the event: the pending reminder is cancelled through the QStash
 * messages API and a new one is published for the new time. Should the cancel
 * miss (already in flight), the old reminder still finds the version changed and skips.
 */
export async function moveEvent(
  services: Services,
  input: { userId: string; eventId: string; startsAt: number },
): Promise<EventResult> {
  const nowMs = services.clock.now();
  const problem = checkStart(input.startsAt, nowMs);
  if (problem) return { ok: false, reason: "invalid", message: problem };
  const changed = await moveEventRecord(services.redis, { ...input, nowMs });
  if (changed.state !== "changed") return failure(changed);
  await cancelReminderMessage(services, changed.previousReminderMessageId);
  return withReminder(services, changed.event);
}

export async function cancelEvent(services: Services, input: { userId: string; eventId: string }): Promise<EventResult> {
  const changed = await cancelEventRecord(services.redis, { ...input, nowMs: services.clock.now() });
  if (changed.state !== "changed") return failure(changed);
  await cancelReminderMessage(services, changed.previousReminderMessageId);
  return { ok: true, event: changed.event };
}

function failure(changed: Exclude<EventChange, { state: "changed" }>): EventResult {
  return changed.state === "cancelled"
    ? { ok: false, reason: "cancelled", message: "This event was cancelled." }
    : { ok: false, reason: "not_found", message: "This event doesn't exist." };
}

async function withReminder(services: Services, event: CalendarEvent): Promise<EventResult> {
  const dueAt = reminderDueAt(event.startsAt, services.clock.now());
  if (dueAt === null) return { ok: true, event };
  const nowMs = services.clock.now();
  const { messageId } = await services.queue.enqueue(
    eventReminder,
    { eventId: event.id, version: event.version, startsAt: event.startsAt },
    // QStash takes whole seconds; rounding up never reminds early.
    { ...(dueAt > nowMs && { notBefore: Math.ceil(dueAt / 1000) }), label: "events" },
  );
  const recorded = await setReminder(services.redis, { eventId: event.id, version: event.version, messageId, reminderAt: dueAt });
  if (!recorded) {
    // Moved or cancelled while we published: this reminder is already stale.
    await cancelReminderMessage(services, messageId);
    return { ok: true, event };
  }
  return { ok: true, event: { ...event, reminderMessageId: messageId, reminderAt: dueAt }, reminderMessageId: messageId };
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
