import type { Redis } from "./redis";
import { RECENT_RUNS_KEY, RECENT_RUNS_LIMIT, RUN_TTL_SECONDS, runKey } from "./run-keys";

/**
 * At-least-once delivery becomes exactly-once execution here.
 *
 * The key holds `running:<lease>` while a delivery runs (with a PX expiry so a
 * crashed run frees it) and `done:<messageId>` once it succeeded. Each step is
 * one Lua script that also updates the run record, so the success path costs
 * exactly two Redis round trips: claim and complete.
 */
export type Claim =
  | { state: "claimed"; lease: Lease }
  | { state: "done"; messageId: string }
  | { state: "running" };

export interface Lease {
  /** Marks the key done (only if this lease still holds it, or nobody does) and the run succeeded. */
  complete(result: unknown): Promise<void>;
  /** Frees the key (only if this lease still holds it) so a retry can run; records the failure. */
  release(error: string): Promise<void>;
}

export interface ClaimInput {
  jobName: string;
  /** The run's canonical key, `<job>/<business key or message id>` (see `runIdempotencyKey`). */
  idempotencyKey: string;
  messageId: string;
  retried: number;
  /** How long the lease holds if the run never finishes (crash, platform kill). */
  leaseMs: number;
  nowMs: number;
  /** Unique per delivery attempt; compare-and-delete uses it. */
  leaseId: string;
}

/** How long a finished key is remembered: longer than QStash keeps retrying a message (days). */
export const DONE_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/** The Redis key of a run's lease and done marker. */
export const leaseKey = (idempotencyKey: string) => `idem:${idempotencyKey}`;

const CLAIM = `
local taken = redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2])
if not taken then
  local current = redis.call('GET', KEYS[1])
  if not current then return 'running:' end
  -- Another message already did this work (same business key): this message's record says so,
  -- instead of staying "queued" forever. A redelivery of the same message keeps its own record.
  if string.sub(current, 1, 5) == 'done:' and string.sub(current, 6) ~= ARGV[8] then
    redis.call('HSET', KEYS[2], 'job', ARGV[3], 'status', 'succeeded', 'finishedAt', ARGV[4], 'attempts', tonumber(ARGV[5]) + 1, 'idempotencyKey', ARGV[6], 'duplicateOf', string.sub(current, 6))
    redis.call('EXPIRE', KEYS[2], ARGV[7])
    redis.call('ZADD', KEYS[3], ARGV[4], ARGV[8])
  end
  return current
end
redis.call('HSET', KEYS[2], 'job', ARGV[3], 'status', 'running', 'startedAt', ARGV[4], 'attempts', tonumber(ARGV[5]) + 1, 'idempotencyKey', ARGV[6])
redis.call('EXPIRE', KEYS[2], ARGV[7])
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[8])
redis.call('ZREMRANGEBYRANK', KEYS[3], 0, -(tonumber(ARGV[9]) + 1))
return 'claimed'`;

const COMPLETE = `
local current = redis.call('GET', KEYS[1])
if (not current) or current == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
end
redis.call('HSET', KEYS[2], 'status', 'succeeded', 'finishedAt', ARGV[4], 'durationMs', ARGV[5], 'result', ARGV[6])
redis.call('HDEL', KEYS[2], 'lastError')
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[7])
return 1`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
end
redis.call('HSET', KEYS[2], 'status', 'failed', 'finishedAt', ARGV[2], 'durationMs', ARGV[3], 'lastError', ARGV[4])
redis.call('ZADD', KEYS[3], ARGV[2], ARGV[5])
return 1`;

export function createIdempotencyGuard(redis: Redis, now: () => number) {
  return {
    async claim(input: ClaimInput): Promise<Claim> {
      const key = leaseKey(input.idempotencyKey);
      const leaseValue = `running:${input.leaseId}`;
      const keys = [key, runKey(input.messageId), RECENT_RUNS_KEY];
      const answer = String(
        await redis.eval(CLAIM, keys, [
          leaseValue,
          input.leaseMs,
          input.jobName,
          input.nowMs,
          input.retried,
          input.idempotencyKey,
          RUN_TTL_SECONDS,
          input.messageId,
          RECENT_RUNS_LIMIT,
        ]),
      );
      if (answer.startsWith("done:")) return { state: "done", messageId: answer.slice("done:".length) };
      if (answer !== "claimed") return { state: "running" };
      const startedAt = input.nowMs;
      return {
        state: "claimed",
        lease: {
          async complete(result) {
            const finishedAt = now();
            await redis.eval(COMPLETE, keys, [
              leaseValue,
              `done:${input.messageId}`,
              DONE_TTL_MS,
              finishedAt,
              finishedAt - startedAt,
              result === undefined ? "" : JSON.stringify(result),
              input.messageId,
            ]);
          },
          async release(error) {
            const finishedAt = now();
            await redis.eval(RELEASE, keys, [
              leaseValue,
              finishedAt,
              finishedAt - startedAt,
              error.slice(0, 2000),
              input.messageId,
            ]);
          },
        },
      };
    },
  };
}

export type IdempotencyGuard = ReturnType<typeof createIdempotencyGuard>;
