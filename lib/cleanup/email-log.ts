import { EMAIL_LOG_LIMIT } from "../email-log/store";
import { scanBounded } from "./scan";
import type { CleanupTask } from "./task";

// The email log's layout (lib/email-log/store.ts): a sorted set `email-log:<userId>` of
// entry keys, each entry a hash `email-log:<userId>:<key>` with `updatedAt` (ms).
const PREFIX = "email-log:";

// KEYS: order set, then one entry hash per member. ARGV: cutoff, then the members.
// Removes entries last written at or before the cutoff, and members whose hash already expired.
const PRUNE = `
local removed = 0
for i = 2, #KEYS do
  local updated = redis.call('HGET', KEYS[i], 'updatedAt')
  if (not updated) or tonumber(updated) <= tonumber(ARGV[1]) then
    redis.call('DEL', KEYS[i])
    redis.call('ZREM', KEYS[1], ARGV[i])
    removed = removed + 1
  end
end
return removed`;

/** Old email-log entries, and index entries left behind by expired ones. */
export const emailLogTask: CleanupTask = {
  name: "email-log",
  async run({ redis, nowMs, signal, maxKeys, retention }) {
    const cutoff = nowMs - retention.emailLogMs;
    let removed = 0;
    const { scanned, complete } = await scanBounded(
      redis,
      "email-log",
      { match: `${PREFIX}*`, type: "zset" },
      { maxKeys, signal },
      async (keys) => {
        for (const orderKey of keys) {
          const members = (await redis.zrange<string[]>(orderKey, 0, EMAIL_LOG_LIMIT - 1)).map(String);
          if (members.length === 0) continue;
          const entryKeys = members.map((member) => `${orderKey}:${member}`);
          removed += Number(await redis.eval(PRUNE, [orderKey, ...entryKeys], [cutoff, ...members]));
        }
      },
    );
    return { task: "email-log", scanned, removed, complete };
  },
};
