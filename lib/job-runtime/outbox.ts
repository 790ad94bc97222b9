/**
 * Durable publishing: a job is written to Redis in the same atomic step as the
 * domain change that calls for it (a user, an invite, a notification), then
 * published, then removed once QStash accepted it. If QStash can't be reached
 * or the process dies in between, the entry stays and a sweep publishes it
 * later with the entry id as QStash's deduplication id, so however often a
 * publish is retried, QStash keeps one message.
 *
 * The outbox knows nothing of jobs or domains: an entry is a ready-made publish
 * request. Domain code adds entries inside its own write, either with
 * `stageOutboxEntries` on a MULTI/EXEC transaction or with the `OUTBOX_ADD_LUA`
 * snippet inside its own Lua script when the write is conditional.
 * See docs/decisions/0011-outbox.md for who sweeps and how old an entry may get.
 */
import type { PublishRequest } from "@upstash/qstash";
import type { Pipeline, Redis } from "@upstash/redis";
import { endPublishSpan, startPublishSpan, traceHeaders } from "./tracing";

/** Hash: entry id → entry JSON. */
export const OUTBOX_ENTRIES_KEY = "outbox:entries";
/** Sorted set: entry id scored by creation time, so sweeps take the oldest first. */
export const OUTBOX_INDEX_KEY = "outbox:index";
/** Lock so concurrent sweeps (schedule, cron, producers) don't publish the same entries side by side. */
const SWEEP_LOCK_KEY = "outbox:sweep-lock";

/** An entry younger than this is left to the producer that wrote it, which publishes right away. */
export const OUTBOX_SWEEP_GRACE_MS = 5_000;
/** Past this age an entry is reported as stale (admin, `npm run jobs`, the log); it is still published. */
export const OUTBOX_MAX_AGE_MS = 15 * 60_000;
/** Entries one sweep publishes at most; a sweep runs well inside a function's time limit. */
export const OUTBOX_SWEEP_LIMIT = 200;
const SWEEP_LOCK_MS = 60_000;

export type OutboxRequest = PublishRequest<unknown> & { url: string };

export interface OutboxEntry {
  /** `obx_…`; also the QStash deduplication id unless the producer set its own. */
  id: string;
  jobName: string;
  createdAt: number;
  request: OutboxRequest;
}

export interface PublishedEntry {
  entryId: string;
  jobName: string;
  messageId: string;
  deduplicated: boolean;
}

/** Publishes one request; the outbox adds the deduplication id. */
export type OutboxPublish = (request: OutboxRequest) => Promise<{ messageId: string; deduplicated?: boolean }>;

export interface OutboxConfig {
  redis: Redis;
  publish: OutboxPublish;
  now(): number;
  /** Called after QStash accepted an entry (e.g. to record the run as queued). Failures are logged, not thrown. */
  onPublished?(published: PublishedEntry): Promise<unknown> | void;
  /** Where failures and stale entries are reported. @default console */
  report?(level: "warn" | "error", event: string, fields: Record<string, unknown>): void;
  maxAgeMs?: number;
}

export interface OutboxDepth {
  /** Entries waiting to be published. */
  pending: number;
  /** Age of the oldest one, ms; null when empty. */
  oldestAgeMs: number | null;
  /** Entries older than the max age. */
  stale: number;
  maxAgeMs: number;
}

export interface FlushResult {
  published: PublishedEntry[];
  /** Entries left for a sweep, because QStash or Redis failed. */
  pending: string[];
}

export interface SweepResult extends FlushResult {
  /** False when another sweep held the lock; nothing was done. */
  ran: boolean;
}

export interface Outbox {
  /** Publishes entries just written; never throws: what fails stays for a sweep. */
  flush(entries: readonly OutboxEntry[]): Promise<FlushResult>;
  /** Publishes entries older than the grace period, oldest first, up to `limit`. */
  sweep(options?: { limit?: number; graceMs?: number }): Promise<SweepResult>;
  depth(): Promise<OutboxDepth>;
}

/** A new entry for `request`; write it with the domain change, then `flush` it. */
export function outboxEntry(jobName: string, request: OutboxRequest, nowMs: number): OutboxEntry {
  return { id: `obx_${crypto.randomUUID().replaceAll("-", "")}`, jobName, createdAt: nowMs, request };
}

/** The commands that record `entries`, for a MULTI/EXEC transaction that also holds the domain change. */
// `any`: the caller's transaction may hold any commands before ours.
// biome-ignore lint/suspicious/noExplicitAny: the pipeline's result tuple belongs to the caller.
export function stageOutboxEntries(tx: Pipeline<any>, entries: readonly OutboxEntry[]): Pipeline<any> {
  let staged = tx;
  for (const entry of entries) {
    staged = staged
      .hset(OUTBOX_ENTRIES_KEY, { [entry.id]: JSON.stringify(entry) })
      .zadd(OUTBOX_INDEX_KEY, { score: entry.createdAt, member: entry.id });
  }
  return staged;
}

/**
 * For a domain Lua script whose write is conditional: prepend this and call
 * `outbox_add()` where the write succeeds. It reads the entry from the last
 * two KEYS and last three ARGV, which `withOutboxEntry` appends.
 */
export const OUTBOX_ADD_LUA = `
local function outbox_add()
  local k, a = #KEYS, #ARGV
  redis.call('HSET', KEYS[k - 1], ARGV[a - 2], ARGV[a - 1])
  redis.call('ZADD', KEYS[k], ARGV[a], ARGV[a - 2])
end
`;

/** `keys`/`args` of a script using `OUTBOX_ADD_LUA`, with the entry appended. */
export function withOutboxEntry(
  keys: string[],
  args: Array<string | number>,
  entry: OutboxEntry,
): { keys: string[]; args: string[] } {
  return {
    keys: [...keys, OUTBOX_ENTRIES_KEY, OUTBOX_INDEX_KEY],
    args: [...args.map(String), entry.id, JSON.stringify(entry), String(entry.createdAt)],
  };
}

const RELEASE_LOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export function createOutbox(config: OutboxConfig): Outbox {
  const { redis } = config;
  const maxAgeMs = config.maxAgeMs ?? OUTBOX_MAX_AGE_MS;
  const report =
    config.report ??
    ((level: "warn" | "error", event: string, fields: Record<string, unknown>) =>
      console[level](JSON.stringify({ level, event, ...fields })));

  async function publishOne(entry: OutboxEntry): Promise<PublishedEntry | null> {
    let result: { messageId: string; deduplicated?: boolean };
    // A flush runs in the producer's request, so the delivery joins that request's trace; a sweep starts its own.
    const span = startPublishSpan(entry.jobName, "outbox");
    try {
      // The entry id makes every retry of this publish the same message to QStash.
      const headers = { ...(entry.request.headers as Record<string, string> | undefined), ...traceHeaders(span) };
      result = await config.publish({ ...entry.request, headers, deduplicationId: entry.request.deduplicationId ?? entry.id });
      endPublishSpan(span, result);
    } catch (error) {
      endPublishSpan(span, { error });
      report("warn", "outbox_publish_failed", { entryId: entry.id, job: entry.jobName, error: String(error) });
      return null;
    }
    const published = {
      entryId: entry.id,
      jobName: entry.jobName,
      messageId: result.messageId,
      deduplicated: result.deduplicated === true,
    };
    try {
      await config.onPublished?.(published);
    } catch (error) {
      report("warn", "outbox_record_queued_failed", { entryId: entry.id, messageId: published.messageId, error: String(error) });
    }
    try {
      await redis.multi().hdel(OUTBOX_ENTRIES_KEY, entry.id).zrem(OUTBOX_INDEX_KEY, entry.id).exec();
    } catch (error) {
      // QStash has it; the leftover entry is published again under the same deduplication id, which QStash drops.
      report("warn", "outbox_remove_failed", { entryId: entry.id, error: String(error) });
    }
    return published;
  }

  async function flush(entries: readonly OutboxEntry[]): Promise<FlushResult> {
    const outcomes = await Promise.all(entries.map((entry) => publishOne(entry)));
    const published = outcomes.filter((outcome): outcome is PublishedEntry => outcome !== null);
    const pending = entries.filter((_, index) => outcomes[index] === null).map((entry) => entry.id);
    return { published, pending };
  }

  return {
    flush,
    async sweep(options = {}) {
      const token = crypto.randomUUID();
      const locked = await redis.set(SWEEP_LOCK_KEY, token, { nx: true, px: SWEEP_LOCK_MS });
      if (locked !== "OK") return { ran: false, published: [], pending: [] };
      try {
        const now = config.now();
        const cutoff = now - (options.graceMs ?? OUTBOX_SWEEP_GRACE_MS);
        const ids = await redis.zrange<string[]>(OUTBOX_INDEX_KEY, "-inf", cutoff, {
          byScore: true,
          offset: 0,
          count: options.limit ?? OUTBOX_SWEEP_LIMIT,
        });
        if (ids.length === 0) return { ran: true, published: [], pending: [] };
        const raw = await redis.hmget<Record<string, OutboxEntry | null>>(OUTBOX_ENTRIES_KEY, ...ids);
        const entries: OutboxEntry[] = [];
        for (const id of ids) {
          const entry = raw?.[id];
          // An index member without its entry was removed between the two reads; drop the orphan.
          if (!entry) await redis.zrem(OUTBOX_INDEX_KEY, id);
          else entries.push(typeof entry === "string" ? (JSON.parse(entry) as OutboxEntry) : entry);
        }
        for (const entry of entries) {
          if (now - entry.createdAt > maxAgeMs)
            report("error", "outbox_entry_stale", { entryId: entry.id, job: entry.jobName, ageMs: now - entry.createdAt });
        }
        return { ran: true, ...(await flush(entries)) };
      } finally {
        await redis.eval(RELEASE_LOCK, [SWEEP_LOCK_KEY], [token]).catch(() => undefined);
      }
    },
    depth: () => outboxDepth(redis, config.now(), maxAgeMs),
  };
}

/** How many entries wait, how old the oldest is, and how many are past `maxAgeMs`; reads only. */
export async function outboxDepth(redis: Redis, nowMs: number, maxAgeMs = OUTBOX_MAX_AGE_MS): Promise<OutboxDepth> {
  const [pending, oldest, stale] = await redis
    .multi()
    .zcard(OUTBOX_INDEX_KEY)
    .zrange(OUTBOX_INDEX_KEY, 0, 0, { withScores: true })
    .zcount(OUTBOX_INDEX_KEY, "-inf", nowMs - maxAgeMs)
    .exec<[number, Array<string | number>, number]>();
  const oldestScore = oldest.length >= 2 ? Number(oldest[1]) : null;
  return { pending, oldestAgeMs: oldestScore === null ? null : Math.max(0, nowMs - oldestScore), stale, maxAgeMs };
}

/** What one scheduled sweeper call may do at most: rounds of `OUTBOX_SWEEP_LIMIT`, inside a time budget. */
export interface DrainLimits {
  /** @default 5 */
  rounds?: number;
  /** Starts no new round after this many ms. @default 20_000, well inside a 60 s function */
  budgetMs?: number;
  now(): number;
}

export interface DrainResult extends SweepResult {
  rounds: number;
}

/**
 * Sweeps round after round while each round found a full batch due: what a
 * scheduled sweeper (cron route, schedule job) does with its one call, so a
 * backlog left by a long outage drains at up to `rounds × OUTBOX_SWEEP_LIMIT`
 * a tick instead of one batch. Stops at once when QStash refuses (entries
 * stay pending), when another sweeper holds the lock, or when the budget is spent.
 */
export async function drainOutbox(outbox: Pick<Outbox, "sweep">, limits: DrainLimits): Promise<DrainResult> {
  const rounds = limits.rounds ?? 5;
  const stopAt = limits.now() + (limits.budgetMs ?? 20_000);
  const total: DrainResult = { ran: false, published: [], pending: [], rounds: 0 };
  while (total.rounds < rounds) {
    const swept = await outbox.sweep({ limit: OUTBOX_SWEEP_LIMIT });
    if (!swept.ran) break;
    total.ran = true;
    total.rounds++;
    total.published.push(...swept.published);
    total.pending.push(...swept.pending);
    const more = swept.published.length + swept.pending.length >= OUTBOX_SWEEP_LIMIT;
    if (swept.pending.length > 0 || !more || limits.now() >= stopAt) break;
  }
  return total;
}
