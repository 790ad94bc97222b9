import { DONE_TTL_MS } from "../job-runtime";
import { scanBounded } from "./scan";
import type { CleanupTask } from "./task";

// Every idempotency key is written with PX (lease while running, DONE_TTL_MS once done),
// so they expire on their own. This only checks that promise: a key without a TTL
// (PTTL -1) gets the done TTL. KEYS: the keys. ARGV: the TTL in ms.
const FIX = `
local fixed = 0
for i = 1, #KEYS do
  if redis.call('PTTL', KEYS[i]) == -1 then
    redis.call('PEXPIRE', KEYS[i], ARGV[1])
    fixed = fixed + 1
  end
end
return fixed`;

export const idempotencyTtlTask: CleanupTask = {
  name: "idempotency-ttl",
  async run({ redis, signal, maxKeys }) {
    let removed = 0;
    const { scanned, complete } = await scanBounded(
      redis,
      "idempotency-ttl",
      { match: "idem:*", type: "string" },
      { maxKeys, signal },
      async (keys) => {
        removed += Number(await redis.eval(FIX, keys, [DONE_TTL_MS]));
      },
    );
    return { task: "idempotency-ttl", scanned, removed, complete };
  },
};
