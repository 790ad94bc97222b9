import {
  OUTBOX_ADD_LUA,
  OUTBOX_ENTRIES_KEY,
  OUTBOX_INDEX_KEY,
  stageOutboxEntries,
  withOutboxEntry,
  type OutboxEntry,
  type Redis,
} from "../job-runtime";

/** A calendar event with one pending reminder. Times are Unix epoch ms. */
export interface CalendarEvent {
  id: string;
  userId: string;
  title: string;
  startsAt: number;
  status: "scheduled" | "cancelled";
  /** +1 on every move or cancel; a reminder carries the version it was published for. */
  version: number;
  /**
   * QStash message id of the pending reminder, so a move or cancel can withdraw it.
   * Absent while the reminder waits in the outbox (then a move or cancel drops the entry).
   */
  reminderMessageId?: string;
  /** When that reminder is due. */
  reminderAt?: number;
  /** When the reminder email went out. */
  remindedAt?: number;
  createdAt: number;
  updatedAt: number;
}

const eventKey = (eventId: string) => `event:${eventId}`;
/** Sorted set of the user's event ids, scored by start time. */
const userEventsKey = (userId: string) => `events:${userId}`;
/** Events (and their index entries) are kept this long after they start. */
export const EVENT_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

/** Milliseconds until an event starting at `startsAt` may be forgotten (relative, so Redis's clock never matters). */
const keepMs = (startsAt: number, nowMs: number) => Math.max(startsAt + EVENT_RETENTION_MS - nowMs, 1000);

/**
 * A reminder recorded with the event change that calls for it: its outbox entry,
 * written in the same atomic step, and when it is due. The event keeps the
 * entry's id until the reminder is published, so a later move or cancel can
 * drop an entry that never left.
 */
export interface PendingReminder {
  entry: OutboxEntry;
  reminderAt: number;
}

export async function insertEvent(redis: Redis, event: CalendarEvent, nowMs: number, reminder?: PendingReminder): Promise<void> {
  const tx = redis.multi();
  tx.hset(eventKey(event.id), {
    id: event.id,
    userId: event.userId,
    title: event.title,
    startsAt: event.startsAt,
    status: event.status,
    version: event.version,
    createdAt: event.createdAt,
    updatedAt: event.updatedAt,
    ...(reminder && { reminderAt: reminder.reminderAt, reminderEntryId: reminder.entry.id }),
  });
  tx.pexpire(eventKey(event.id), keepMs(event.startsAt, nowMs));
  tx.zadd(userEventsKey(event.userId), { score: event.startsAt, member: event.id });
  if (reminder) stageOutboxEntries(tx, [reminder.entry]);
  await tx.exec();
}

export async function getEvent(redis: Redis, eventId: string): Promise<CalendarEvent | null> {
  const raw = await redis.hgetall<Record<string, unknown>>(eventKey(eventId));
  return raw && Object.keys(raw).length > 0 ? toEvent(raw) : null;
}

/** Soonest first; past events included until they expire. */
export async function listUserEvents(redis: Redis, userId: string, limit = 100): Promise<CalendarEvent[]> {
  const ids = (await redis.zrange<string[]>(userEventsKey(userId), 0, limit - 1)).map(String);
  if (ids.length === 0) return [];
  const pipeline = redis.pipeline();
  for (const id of ids) pipeline.hgetall(eventKey(id));
  const rows = await pipeline.exec<Array<Record<string, unknown> | null>>();
  return rows.flatMap((row) => (row && Object.keys(row).length > 0 ? [toEvent(row)] : []));
}

export type EventChange =
  | { state: "changed"; event: CalendarEvent; previousReminderMessageId?: string }
  | { state: "not_found" }
  | { state: "cancelled" }
  /** The event is no longer at the version the change (and its reminder) was prepared for. */
  | { state: "stale" };

// Owner check, status check, version bump, the swap of the reminder id and the outbox write
// happen in one step, so two concurrent changes can't both believe they hold the latest version,
// and a reminder still waiting in the outbox for the old version is dropped with it.
// KEYS: event, user's events, outbox entries, outbox index
// ARGV: userId, nowMs, kind, startsAt, keepMs, eventId, expected version ('' = any),
//       reminderAt ('' = none), '1' when the outbox entry's three values follow
const CHANGE = `${OUTBOX_ADD_LUA}
if redis.call('EXISTS', KEYS[1]) == 0 then return {'not_found'} end
if redis.call('HGET', KEYS[1], 'userId') ~= ARGV[1] then return {'not_found'} end
if redis.call('HGET', KEYS[1], 'status') == 'cancelled' then return {'cancelled'} end
if ARGV[7] ~= '' and redis.call('HGET', KEYS[1], 'version') ~= ARGV[7] then return {'stale'} end
local previous = redis.call('HGET', KEYS[1], 'reminderMessageId') or ''
local waiting = redis.call('HGET', KEYS[1], 'reminderEntryId')
if waiting then
  redis.call('HDEL', KEYS[3], waiting)
  redis.call('ZREM', KEYS[4], waiting)
end
local version = redis.call('HINCRBY', KEYS[1], 'version', 1)
redis.call('HDEL', KEYS[1], 'reminderMessageId', 'reminderAt', 'reminderEntryId')
redis.call('HSET', KEYS[1], 'updatedAt', ARGV[2])
if ARGV[3] == 'cancel' then
  redis.call('HSET', KEYS[1], 'status', 'cancelled')
else
  redis.call('HSET', KEYS[1], 'startsAt', ARGV[4])
  redis.call('HDEL', KEYS[1], 'remindedAt')
  redis.call('PEXPIRE', KEYS[1], ARGV[5])
  redis.call('ZADD', KEYS[2], ARGV[4], ARGV[6])
  if ARGV[8] ~= '' then redis.call('HSET', KEYS[1], 'reminderAt', ARGV[8]) end
  if ARGV[9] == '1' then
    redis.call('HSET', KEYS[1], 'reminderEntryId', ARGV[#ARGV - 2])
    outbox_add()
  end
end
return {'changed', previous}`;

async function change(
  redis: Redis,
  input: { eventId: string; userId: string; nowMs: number } & (
    | { kind: "cancel" }
    | { kind: "move"; startsAt: number; expectedVersion: number; reminder?: PendingReminder }
  ),
): Promise<EventChange> {
  const move = input.kind === "move" ? input : undefined;
  const keys = [eventKey(input.eventId), userEventsKey(input.userId)];
  const args = [
    input.userId,
    input.nowMs,
    input.kind,
    move ? move.startsAt : 0,
    move ? keepMs(move.startsAt, input.nowMs) : 0,
    input.eventId,
    move ? move.expectedVersion : "",
    move?.reminder ? move.reminder.reminderAt : "",
    move?.reminder ? "1" : "0",
  ];
  const script = move?.reminder
    ? withOutboxEntry(keys, args, move.reminder.entry)
    : { keys: [...keys, OUTBOX_ENTRIES_KEY, OUTBOX_INDEX_KEY], args: args.map(String) };
  const [state, previous] = (await redis.eval(CHANGE, script.keys, script.args)) as [string, unknown?];
  if (state === "stale") return { state: "stale" };
  if (state !== "changed") return { state: state === "cancelled" ? "cancelled" : "not_found" };
  const event = await getEvent(redis, input.eventId);
  if (!event) return { state: "not_found" };
  const previousId = previous === undefined || previous === null || previous === "" ? undefined : String(previous);
  return { state: "changed", event, ...(previousId && { previousReminderMessageId: previousId }) };
}

/** Moves the event from `expectedVersion` (else "stale"), with the new version's reminder written in the same script. */
export const moveEventRecord = (
  redis: Redis,
  input: {
    eventId: string;
    userId: string;
    startsAt: number;
    nowMs: number;
    expectedVersion: number;
    reminder?: PendingReminder;
  },
) => change(redis, { ...input, kind: "move" });

export async function cancelEventRecord(
  redis: Redis,
  input: { eventId: string; userId: string; nowMs: number },
): Promise<Exclude<EventChange, { state: "stale" }>> {
  const changed = await change(redis, { ...input, kind: "cancel" });
  // A cancel names no version, so the script never answers "stale".
  return changed.state === "stale" ? { state: "not_found" } : changed;
}

const SET_REMINDER = `
if redis.call('HGET', KEYS[1], 'version') ~= ARGV[1] then return 0 end
if redis.call('HGET', KEYS[1], 'status') ~= 'scheduled' then return 0 end
redis.call('HSET', KEYS[1], 'reminderMessageId', ARGV[2], 'reminderAt', ARGV[3])
redis.call('HDEL', KEYS[1], 'reminderEntryId')
return 1`;

/**
 * Records the published reminder's message id, only if the event is still at
 * `version`; its outbox entry is gone once published. False means it moved meanwhile.
 */
export async function setReminder(
  redis: Redis,
  input: { eventId: string; version: number; messageId: string; reminderAt: number },
): Promise<boolean> {
  const set = await redis.eval(
    SET_REMINDER,
    [eventKey(input.eventId)],
    [String(input.version), input.messageId, input.reminderAt],
  );
  return Number(set) === 1;
}

const MARK_REMINDED = `
if redis.call('HGET', KEYS[1], 'version') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'remindedAt', ARGV[2])
redis.call('HDEL', KEYS[1], 'reminderMessageId')
return 1`;

export async function markReminded(redis: Redis, input: { eventId: string; version: number; nowMs: number }): Promise<void> {
  await redis.eval(MARK_REMINDED, [eventKey(input.eventId)], [String(input.version), input.nowMs]);
}

function toEvent(raw: Record<string, unknown>): CalendarEvent {
  const num = (value: unknown) => (value === undefined || value === null || value === "" ? undefined : Number(value));
  const reminderMessageId = raw.reminderMessageId ? String(raw.reminderMessageId) : undefined;
  const reminderAt = num(raw.reminderAt);
  const remindedAt = num(raw.remindedAt);
  return {
    id: String(raw.id),
    userId: String(raw.userId),
    title: String(raw.title),
    startsAt: Number(raw.startsAt),
    status: raw.status === "cancelled" ? "cancelled" : "scheduled",
    version: Number(raw.version),
    ...(reminderMessageId && { reminderMessageId }),
    ...(reminderAt !== undefined && { reminderAt }),
    ...(remindedAt !== undefined && { remindedAt }),
    createdAt: Number(raw.createdAt),
    updatedAt: Number(raw.updatedAt),
  };
}
