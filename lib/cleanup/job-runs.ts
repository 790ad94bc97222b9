import { RECENT_RUNS_KEY } from "../job-runtime";
import { scanBounded } from "./scan";
import type { CleanupTask } from "./task";

// KEYS: the recent-runs set, then run hashes. ARGV: cutoff, then each run's message id.
// A run's age is its latest timestamp; a hash with none of them is not ours to judge.
const PRUNE = `
local removed = 0
local cutoff = tonumber(ARGV[1])
for i = 2, #KEYS do
  local f = redis.call('HMGET', KEYS[i], 'queuedAt', 'startedAt', 'finishedAt')
  local latest = nil
  for _, value in ipairs(f) do
    local n = tonumber(value)
    if n and ((not latest) or n > latest) then latest = n end
  end
  if latest and latest <= cutoff then
    redis.call('DEL', KEYS[i])
    redis.call('ZREM', KEYS[1], ARGV[i])
    removed = removed + 1
  end
end
return removed`;

const PREFIX = "job:run:";

/** Run records (`job:run:*`) older than the retention, and their entries in `job:runs:recent`. */
export const jobRunsTask: CleanupTask = {
  name: "job-runs",
  async run({ redis, nowMs, signal, maxKeys, retention }) {
    const cutoff = nowMs - retention.jobRunsMs;
    // The recent list is scored by last change: everything at or before the cutoff goes in one command.
    let removed = Number(await redis.zremrangebyscore(RECENT_RUNS_KEY, "-inf", cutoff));
    const { scanned, complete } = await scanBounded(
      redis,
      "job-runs",
      { match: `${PREFIX}*`, type: "hash" },
      { maxKeys, signal },
      async (keys) => {
        const ids = keys.map((key) => key.slice(PREFIX.length));
        removed += Number(await redis.eval(PRUNE, [RECENT_RUNS_KEY, ...keys], [cutoff, ...ids]));
      },
    );
    return { task: "job-runs", scanned, removed, complete };
  },
};
