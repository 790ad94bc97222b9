import type { Redis } from "../job-runtime";

/** One in-app notification. Times are Unix epoch ms. */
export interface InAppNotification {
  id: string;
  userId: string;
  title: string;
  body: string;
  /** Same-site path or absolute URL the notification points to. */
  link?: string;
  createdAt: number;
  /** Set once the user read it. */
  readAt?: number;
}

const itemKey = (userId: string, id: string) => `notification:${userId}:${id}`;
/** Sorted set of the user's notification ids, scored by creation time. */
const notificationsKey = (userId: string) => `notifications:${userId}`;
/** The unread subset, same scores. */
const unreadKey = (userId: string) => `notifications:${userId}:unread`;

/** Notifications kept per user; older ones drop off the list and expire. */
const NOTIFICATIONS_LIMIT = 200;
const NOTIFICATION_TTL_SECONDS = 90 * 24 * 60 * 60;

// Insert once: a retried job must not bring back a notification the user already read.
const ADD = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'id', ARGV[1], 'userId', ARGV[2], 'title', ARGV[3], 'body', ARGV[4], 'link', ARGV[5], 'createdAt', ARGV[6])
redis.call('EXPIRE', KEYS[1], ARGV[7])
redis.call('ZADD', KEYS[2], ARGV[6], ARGV[1])
redis.call('ZADD', KEYS[3], ARGV[6], ARGV[1])
redis.call('ZREMRANGEBYRANK', KEYS[2], 0, -(tonumber(ARGV[8]) + 1))
redis.call('ZREMRANGEBYRANK', KEYS[3], 0, -(tonumber(ARGV[8]) + 1))
redis.call('EXPIRE', KEYS[2], ARGV[7])
redis.call('EXPIRE', KEYS[3], ARGV[7])
return 1`;

/** Stores the notification as unread. Returns false when it already existed (a retry). */
export async function addNotification(redis: Redis, notification: Omit<InAppNotification, "readAt">): Promise<boolean> {
  const { id, userId } = notification;
  const added = await redis.eval(
    ADD,
    [itemKey(userId, id), notificationsKey(userId), unreadKey(userId)],
    [
      id,
      userId,
      notification.title,
      notification.body,
      notification.link ?? "",
      notification.createdAt,
      NOTIFICATION_TTL_SECONDS,
      NOTIFICATIONS_LIMIT,
    ],
  );
  return Number(added) === 1;
}

/** Newest first. */
export async function listNotifications(redis: Redis, userId: string, limit = 50): Promise<InAppNotification[]> {
  const ids = (await redis.zrange<string[]>(notificationsKey(userId), 0, limit - 1, { rev: true })).map(String);
  if (ids.length === 0) return [];
  const pipeline = redis.pipeline();
  for (const id of ids) pipeline.hgetall(itemKey(userId, id));
  const rows = await pipeline.exec<Array<Record<string, unknown> | null>>();
  return rows.flatMap((row) => (row && Object.keys(row).length > 0 ? [toNotification(row)] : []));
}

export async function unreadCount(redis: Redis, userId: string): Promise<number> {
  return Number(await redis.zcard(unreadKey(userId)));
}

/** Marks one (or, without `ids`, every unread) notification read. Returns how many changed. */
export async function markRead(redis: Redis, userId: string, nowMs: number, ids?: string[]): Promise<number> {
  const targets = ids ?? (await redis.zrange<string[]>(unreadKey(userId), 0, -1)).map(String);
  if (targets.length === 0) return 0;
  const tx = redis.multi();
  tx.zrem(unreadKey(userId), ...targets);
  // HSETNX: the first read time stays; a vanished item is not re-created as a husk.
  for (const id of targets) tx.eval(MARK_ONE, [itemKey(userId, id)], [nowMs]);
  const [removed] = await tx.exec<[number, ...unknown[]]>();
  return Number(removed);
}

const MARK_ONE = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
return redis.call('HSETNX', KEYS[1], 'readAt', ARGV[1])`;

function toNotification(row: Record<string, unknown>): InAppNotification {
  // The REST client JSON-parses values, so a title like "2024" comes back as a number.
  const link = row.link === undefined || row.link === null || row.link === "" ? undefined : String(row.link);
  const readAt = row.readAt === undefined || row.readAt === null || row.readAt === "" ? undefined : Number(row.readAt);
  return {
    id: String(row.id),
    userId: String(row.userId),
    title: String(row.title),
    body: String(row.body),
    ...(link !== undefined && { link }),
    createdAt: Number(row.createdAt),
    ...(readAt !== undefined && { readAt }),
  };
}
