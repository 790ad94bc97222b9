import type { Redis } from "../job-runtime";

/** One email a job tried to send, as shown on the user's email log. Times are Unix epoch ms. */
export interface EmailLogEntry {
  /** The job's idempotency key: one entry per logical email, updated across attempts. */
  key: string;
  job: string;
  userId: string;
  to: string;
  subject: string;
  status: "sent" | "failed";
  /** Resend's email id once sent. */
  resendId?: string;
  /** Delivery attempts so far (QStash retries + 1). */
  attempts: number;
  messageId: string;
  lastError?: string;
  createdAt: number;
  updatedAt: number;
}

const orderKey = (userId: string) => `email-log:${userId}`;
const entryKey = (userId: string, key: string) => `email-log:${userId}:${key}`;
/** Entries listed per user; older ones drop off the list and expire. */
export const EMAIL_LOG_LIMIT = 200;
/** Entries expire this long after their last write. */
export const EMAIL_LOG_TTL_SECONDS = 90 * 24 * 60 * 60;

/**
 * Upserts the entry for one logical email. `createdAt` is set once (HSETNX) and
 * the order set is only added to (ZADD NX), so retries update the same row.
 */
export async function recordEmail(
  redis: Redis,
  entry: Omit<EmailLogEntry, "createdAt" | "updatedAt">,
  nowMs: number,
): Promise<void> {
  const key = entryKey(entry.userId, entry.key);
  const fields: Record<string, string | number> = {
    key: entry.key,
    job: entry.job,
    userId: entry.userId,
    to: entry.to,
    subject: entry.subject,
    status: entry.status,
    attempts: entry.attempts,
    messageId: entry.messageId,
    updatedAt: nowMs,
    resendId: entry.resendId ?? "",
    lastError: entry.lastError ?? "",
  };
  const tx = redis.multi();
  tx.hsetnx(key, "createdAt", nowMs);
  tx.hset(key, fields);
  tx.expire(key, EMAIL_LOG_TTL_SECONDS);
  tx.zadd(orderKey(entry.userId), { nx: true }, { score: nowMs, member: entry.key });
  tx.zremrangebyrank(orderKey(entry.userId), 0, -(EMAIL_LOG_LIMIT + 1));
  tx.expire(orderKey(entry.userId), EMAIL_LOG_TTL_SECONDS);
  await tx.exec();
}

/** Newest first. */
export async function listEmailLog(redis: Redis, userId: string, limit = 50): Promise<EmailLogEntry[]> {
  const keys = await redis.zrange<string[]>(orderKey(userId), 0, limit - 1, { rev: true });
  if (keys.length === 0) return [];
  const pipeline = redis.pipeline();
  for (const key of keys) pipeline.hgetall(entryKey(userId, String(key)));
  const rows = await pipeline.exec<Array<Record<string, unknown> | null>>();
  return rows.flatMap((row) => (row && Object.keys(row).length > 0 ? [toEntry(row)] : []));
}

function toEntry(row: Record<string, unknown>): EmailLogEntry {
  const text = (value: unknown) => (value === undefined || value === null || value === "" ? undefined : String(value));
  return {
    key: String(row.key),
    job: String(row.job),
    userId: String(row.userId),
    to: String(row.to),
    subject: String(row.subject),
    status: row.status === "sent" ? "sent" : "failed",
    resendId: text(row.resendId),
    attempts: Number(row.attempts ?? 0),
    messageId: String(row.messageId),
    lastError: text(row.lastError),
    createdAt: Number(row.createdAt ?? 0),
    updatedAt: Number(row.updatedAt ?? 0),
  };
}
