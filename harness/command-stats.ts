/** One command's counters in redis-server's `INFO commandstats`. */
export interface CommandStats {
  calls: number;
  usec: number;
  failedCalls: number;
}

/**
 * `INFO commandstats` by command name as redis-server spells it (`evalsha`, `script|load`):
 * what tests and the bench read to see which commands really reached a real Redis.
 */
export function parseCommandStats(info: string): Map<string, CommandStats> {
  const stats = new Map<string, CommandStats>();
  for (const [, name, fields] of info.matchAll(/^cmdstat_([^:]+):(.*)$/gm)) {
    const field = (key: string) => Number(new RegExp(`(?:^|,)${key}=(\\d+)`).exec(fields!)?.[1] ?? 0);
    stats.set(name!, { calls: field("calls"), usec: field("usec"), failedCalls: field("failed_calls") });
  }
  return stats;
}
