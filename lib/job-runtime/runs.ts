import { QstashError, type Client } from "@upstash/qstash";
import type { Redis } from "./redis";
import { RECENT_RUNS_KEY, RECENT_RUNS_LIMIT, RUN_TTL_SECONDS, runKey, type RunStatus } from "./run-keys";
import { jobNameFromUrl } from "./delivery-decode";

/** One message's history as the app saw it. Times are Unix epoch milliseconds. */
export interface JobRun {
  messageId: string;
  job: string;
  status: RunStatus;
  /** Delivery attempts that reached the handler. */
  attempts: number;
  queuedAt?: number;
  /** Set while QStash still holds the message: the first delivery waits until then. */
  notBefore?: number;
  startedAt?: number;
  finishedAt?: number;
  durationMs?: number;
  lastError?: string;
  /** JSON the handler returned, if any. */
  result?: unknown;
  idempotencyKey?: string;
  /** Set once the message reached the DLQ. */
  dlqId?: string;
  /** Set when another message with the same idempotency key had already done the work. */
  duplicateOf?: string;
}

/** A message QStash accepted for a job (what a replay records as queued). */
export interface PublishedJob {
  messageId: string;
  jobName: string;
  deduplicated: boolean;
}

// HSETNX on status: the delivery can beat this write (the local stack delivers at once),
// and "queued" must never overwrite "running" or "succeeded". KEYS: the recent-runs index, then
// one run record per message; ARGV: now, TTL, index limit, then job and message id per message.
// The index is trimmed only once it holds twice its limit.
const RECORD_QUEUED = `
local now, ttl, limit = ARGV[1], ARGV[2], tonumber(ARGV[3])
for i = 2, #KEYS do
  redis.call('HSETNX', KEYS[i], 'status', 'queued')
  redis.call('HSET', KEYS[i], 'job', ARGV[2 * i], 'queuedAt', now)
  redis.call('EXPIRE', KEYS[i], ttl)
  redis.call('ZADD', KEYS[1], now, ARGV[2 * i + 1])
end
if redis.call('ZCARD', KEYS[1]) > 2 * limit then
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -(limit + 1))
end
return #KEYS - 1`;

const recordScripts = new WeakMap<Redis, ReturnType<Redis["createScript"]>>();

/** Records published messages as queued, however many, in one Redis request. */
export async function recordQueuedMany(redis: Redis, published: readonly PublishedJob[], nowMs: number): Promise<void> {
  if (published.length === 0) return;
  let script = recordScripts.get(redis);
  if (!script) recordScripts.set(redis, (script = redis.createScript(RECORD_QUEUED)));
  await script.exec(
    [RECENT_RUNS_KEY, ...published.map((job) => runKey(job.messageId))],
    [
      String(nowMs),
      String(RUN_TTL_SECONDS),
      String(RECENT_RUNS_LIMIT),
      ...published.flatMap((job) => [job.jobName, job.messageId]),
    ],
  );
}

export async function recordQueued(redis: Redis, published: PublishedJob, nowMs: number): Promise<void> {
  await recordQueuedMany(redis, [published], nowMs);
}

/** Marks a run dead (it reached the DLQ). Returns false when it already was, so callers act once. */
const MARK_DEAD = `
local previous = redis.call('HGET', KEYS[1], 'status')
redis.call('HSET', KEYS[1], 'status', 'dead', 'finishedAt', ARGV[1], 'lastError', ARGV[2], 'dlqId', ARGV[3], 'job', ARGV[4])
redis.call('EXPIRE', KEYS[1], ARGV[5])
redis.call('ZADD', KEYS[2], ARGV[1], ARGV[6])
if previous == 'dead' then return 0 end
return 1`;

export async function markDead(
  redis: Redis,
  input: { messageId: string; jobName: string; error: string; dlqId: string },
  nowMs: number,
): Promise<boolean> {
  const changed = await redis.eval(
    MARK_DEAD,
    [runKey(input.messageId), RECENT_RUNS_KEY],
    [nowMs, input.error.slice(0, 2000), input.dlqId, input.jobName, RUN_TTL_SECONDS, input.messageId],
  );
  return Number(changed) === 1;
}

export async function getRun(redis: Redis, messageId: string): Promise<JobRun | null> {
  const raw = await redis.hgetall<Record<string, unknown>>(runKey(messageId));
  return raw && Object.keys(raw).length > 0 ? toRun(messageId, raw) : null;
}

/** The one QStash call `findRun` needs: reading a message it still holds. */
export type PendingMessages = Pick<Client["messages"], "get">;

/**
 * One message's run. Producers write nothing, so a message no delivery has claimed yet has
 * no record: while QStash still holds it, it is "queued" as QStash describes it. Null when
 * neither knows the id (never published, or finished longer ago than the record's retention).
 */
export async function findRun(redis: Redis, messages: PendingMessages, messageId: string): Promise<JobRun | null> {
  const recorded = await getRun(redis, messageId);
  if (recorded) return recorded;
  const pending = await pendingMessage(messages, messageId);
  if (pending) return pending;
  // QStash let go of it between the two reads: the claim that took it has written the record.
  return getRun(redis, messageId);
}

async function pendingMessage(messages: PendingMessages, messageId: string): Promise<JobRun | null> {
  let message: Awaited<ReturnType<PendingMessages["get"]>>;
  try {
    message = await messages.get(messageId);
  } catch (error) {
    // 404: delivered, dead or cancelled; every other answer is an outage the caller must see.
    if (error instanceof QstashError && error.status === 404) return null;
    throw error;
  }
  const job = jobNameFromUrl(message.url);
  // Failure callbacks and anything else not published to a job route are not job runs.
  if (job === "unknown") return null;
  return {
    messageId,
    job,
    status: "queued",
    attempts: 0,
    queuedAt: message.createdAt,
    ...(message.notBefore !== undefined && message.notBefore > message.createdAt && { notBefore: message.notBefore }),
  };
}

/** Most recent first. */
export async function listRecentRuns(redis: Redis, limit = 50): Promise<JobRun[]> {
  const ids = await redis.zrange<string[]>(RECENT_RUNS_KEY, 0, limit - 1, { rev: true });
  if (ids.length === 0) return [];
  const pipeline = redis.pipeline();
  for (const id of ids) pipeline.hgetall(runKey(String(id)));
  const rows = await pipeline.exec<Array<Record<string, unknown> | null>>();
  return ids.flatMap((id, index) => {
    const raw = rows[index];
    return raw && Object.keys(raw).length > 0 ? [toRun(String(id), raw)] : [];
  });
}

function toRun(messageId: string, raw: Record<string, unknown>): JobRun {
  const num = (value: unknown) => (value === undefined || value === null || value === "" ? undefined : Number(value));
  const text = (value: unknown) => (value === undefined || value === null || value === "" ? undefined : String(value));
  return {
    messageId,
    job: String(raw.job ?? "unknown"),
    status: (text(raw.status) ?? "queued") as RunStatus,
    attempts: num(raw.attempts) ?? 0,
    queuedAt: num(raw.queuedAt),
    startedAt: num(raw.startedAt),
    finishedAt: num(raw.finishedAt),
    durationMs: num(raw.durationMs),
    lastError: text(raw.lastError),
    // @upstash/redis already JSON-parses hash values that are JSON.
    result: raw.result === undefined || raw.result === "" ? undefined : raw.result,
    idempotencyKey: text(raw.idempotencyKey),
    dlqId: text(raw.dlqId),
    duplicateOf: text(raw.duplicateOf),
  };
}
