import type { Redis } from "../job-runtime";

/** Keys asked for per SCAN call. */
const SCAN_COUNT = 200;
const cursorKey = (task: string) => `cleanup:cursor:${task}`;
const CURSOR_TTL_SECONDS = 7 * 24 * 60 * 60;

export interface ScanBudget {
  /** Stop after this many keys; the cursor is kept so the next run resumes there. */
  maxKeys: number;
  signal: AbortSignal;
}

/**
 * SCAN with COUNT over `match` (optionally one TYPE), bounded by `budget`,
 * resuming where the previous run of `task` stopped. `onPage` gets each page's keys.
 * Returns how many matching keys it handed over and whether the keyspace was walked to the end.
 */
export async function scanBounded(
  redis: Redis,
  task: string,
  options: { match: string; type?: "hash" | "zset" | "string" | "set" | "list" },
  budget: ScanBudget,
  onPage: (keys: string[]) => Promise<void>,
): Promise<{ scanned: number; complete: boolean }> {
  const saved = await redis.get(cursorKey(task));
  let cursor = saved === null || saved === undefined ? "0" : String(saved);
  let scanned = 0;
  let seen = 0;
  // Redis may return empty pages, so pages are bounded too, not only keys.
  const maxPages = Math.ceil(budget.maxKeys / SCAN_COUNT) * 4 + 4;
  for (let page = 0; page < maxPages; page++) {
    budget.signal.throwIfAborted();
    const [next, keys] = await redis.scan(cursor, {
      match: options.match,
      count: SCAN_COUNT,
      ...(options.type && { type: options.type }),
    });
    cursor = String(next);
    let batch = keys.map(String);
    seen += batch.length;
    if (options.type && batch.length > 0) {
      // TYPE in SCAN is a Redis 6 option some backends ignore (the local emulator's embedded engine):
      // confirm each key's type so a task never runs a hash command on a set.
      const pipeline = redis.pipeline();
      for (const key of batch) pipeline.type(key);
      const types = await pipeline.exec<string[]>();
      batch = batch.filter((_, index) => types[index] === options.type);
    }
    scanned += batch.length;
    if (batch.length > 0) await onPage(batch);
    if (cursor === "0") {
      await redis.del(cursorKey(task));
      return { scanned, complete: true };
    }
    if (seen >= budget.maxKeys) break;
  }
  await redis.set(cursorKey(task), cursor, { ex: CURSOR_TTL_SECONDS });
  return { scanned, complete: false };
}
