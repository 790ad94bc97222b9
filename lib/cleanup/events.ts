import { EVENT_RETENTION_MS } from "../events/store";
import { scanBounded } from "./scan";
import type { CleanupTask } from "./task";

/** Event hashes expire on their own; this trims the per-user index (`events:<userId>`, scored by start). */
export const eventsIndexTask: CleanupTask = {
  name: "events-index",
  async run({ redis, nowMs, signal, maxKeys }) {
    const cutoff = nowMs - EVENT_RETENTION_MS;
    let removed = 0;
    const { scanned, complete } = await scanBounded(
      redis,
      "events-index",
      { match: "events:*", type: "zset" },
      { maxKeys, signal },
      async (keys) => {
        const pipeline = redis.pipeline();
        for (const key of keys) pipeline.zremrangebyscore(key, "-inf", cutoff);
        const counts = await pipeline.exec<number[]>();
        removed += counts.reduce((sum, count) => sum + Number(count), 0);
      },
    );
    return { task: "events-index", scanned, removed, complete };
  },
};
