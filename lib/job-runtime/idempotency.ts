import { luaScript, type LuaScript } from "./lua-script";
import type { ScriptClient } from "./redis-scripts";
import { RECENT_RUNS_KEY, RECENT_RUNS_LIMIT, RUN_TTL_SECONDS, runKey } from "./run-keys";

/**
 * At-least-once delivery becomes exactly-once execution here.
 *
 * The key holds `running:<lease>:<deadline>` while a delivery runs (with a PX
 * expiry so a crashed run frees it) and `done:<messageId>` once it succeeded.
 * Each step is one Lua script (sent whole until Redis has it, then by SHA) that also writes
 * a bounded run record, so the success path costs exactly two Redis round
 * trips (claim, complete) and a duplicate one.
 *
 * The claim also takes the signature's `jti` until the token expires: a
 * captured signed delivery sent again, even under another Upstash-Message-Id,
 * finds its token taken and is answered as a duplicate without running.
 */
export type Claim =
  | { state: "claimed"; lease: Lease; attempt: number }
  | { state: "done"; messageId: string }
  | { state: "replay" }
  | { state: "running"; retryAfterMs: number };

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
  /** How long the lease holds if the run never finishes (crash, platform kill). */
  leaseMs: number;
  /** When the run will have been stopped for certain (its budget's end): past it, the lease is free to take. */
  deadlineMs: number;
  nowMs: number;
  /** Unique per delivery attempt; compare-and-delete uses it. */
  leaseId: string;
  /** The verified signature's token id and expiry (epoch seconds): each signed delivery runs at most once. */
  token?: { jti: string; exp: number };
}

/** How long a finished key is remembered: longer than QStash keeps retrying a message (days). */
export const DONE_TTL_MS = 7 * 24 * 60 * 60 * 1000;
/** Longest handler result the run record keeps; a longer one is replaced by a note of its size. */
export const RESULT_LIMIT_CHARS = 4_096;
/** Longest error message the run record keeps. */
export const ERROR_LIMIT_CHARS = 2_000;

/** The Redis key of a run's lease and done marker. */
export const leaseKey = (idempotencyKey: string) => `idem:${idempotencyKey}`;
/** The Redis key that marks a signature token as used, until the token expires. */
export const tokenKey = (jti: string) => `qstash:jti:${jti}`;

/**
 * What the claim script answers, as numbers: the Redis client tries JSON.parse on every string in a
 * reply, and a string that isn't JSON (such as 'claimed') costs it a thrown SyntaxError per delivery.
 */
const ANSWER = { claimed: 0, done: 1, running: 2, replay: 3 } as const;

// KEYS: lease, run record, recent-runs index, token. ARGV: lease value, lease ms, job, now,
// idempotency key, run TTL s, message id, recent-runs limit (0: don't trim this time), token ms (0: no token).
// The recent-runs index is trimmed only now and then (see TRIM_EVERY): the trim costs a rank lookup on
// the sorted set, and a ZCARD on every run to decide when to trim would cost a command every time.
const CLAIM = `
local token_ms = tonumber(ARGV[9])
if token_ms > 0 and not redis.call('SET', KEYS[4], ARGV[7], 'NX', 'PX', token_ms) then
  return {${ANSWER.replay}, 0}
end
-- A free key (the usual case) is taken in one command; only a key already set is read.
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  local current = redis.call('GET', KEYS[1])
  if current and string.sub(current, 1, 5) == 'done:' then
    local first = string.sub(current, 6)
    -- Another message already did this work (same business key): this message's record says so,
    -- instead of staying "queued" forever. A redelivery of the same message keeps its own record.
    if first ~= ARGV[7] then
      redis.call('HSET', KEYS[2], 'job', ARGV[3], 'status', 'succeeded', 'finishedAt', ARGV[4], 'idempotencyKey', ARGV[5], 'duplicateOf', first)
      redis.call('HINCRBY', KEYS[2], 'attempts', 1)
      redis.call('EXPIRE', KEYS[2], ARGV[6])
      redis.call('ZADD', KEYS[3], ARGV[4], ARGV[7])
    end
    return {${ANSWER.done}, first}
  end
  if current then
    -- running:<lease id>:<deadline ms>. Before its deadline the run may still be going; after it, it is dead.
    local deadline = tonumber(string.match(current, ':(%d+)$'))
    if deadline == nil or deadline > tonumber(ARGV[4]) then
      return {${ANSWER.running}, redis.call('PTTL', KEYS[1])}
    end
  end
  -- A dead run's lease (or one that expired just now): take it over.
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
end
redis.call('HSET', KEYS[2], 'job', ARGV[3], 'status', 'running', 'startedAt', ARGV[4], 'idempotencyKey', ARGV[5])
local attempt = redis.call('HINCRBY', KEYS[2], 'attempts', 1)
redis.call('EXPIRE', KEYS[2], ARGV[6])
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[7])
local limit = tonumber(ARGV[8])
if limit > 0 then
  redis.call('ZREMRANGEBYRANK', KEYS[3], 0, -(limit + 1))
end
return {${ANSWER.claimed}, attempt}`;

// KEYS: lease, run record. ARGV: lease value, done value, done ms, now, duration, result.
// An earlier attempt's error is blanked in the same HSET rather than deleted by another command:
// run records read an empty field as absent.
const COMPLETE = `
local current = redis.call('GET', KEYS[1])
if (not current) or current == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
end
redis.call('HSET', KEYS[2], 'status', 'succeeded', 'finishedAt', ARGV[4], 'durationMs', ARGV[5], 'result', ARGV[6], 'lastError', '')
return 1`;

// KEYS: lease, run record. ARGV: lease value, now, duration, error.
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
end
redis.call('HSET', KEYS[2], 'status', 'failed', 'finishedAt', ARGV[2], 'durationMs', ARGV[3], 'lastError', ARGV[4])
return 1`;

/**
 * Claims between two trims of the recent-runs index, per client. The first claim of a client trims
 * too, so short-lived instances (one per cold start) keep the index near its limit as well.
 */
export const TRIM_EVERY = 100;

/** One set of scripts per client, with the client's count of claims since the index was last trimmed. */
const scriptsByClient = new WeakMap<
  ScriptClient,
  { claim: LuaScript; complete: LuaScript; release: LuaScript; claims: number }
>();

function scriptsFor(redis: ScriptClient) {
  let scripts = scriptsByClient.get(redis);
  if (!scripts) {
    scripts = {
      claim: luaScript(redis, CLAIM),
      complete: luaScript(redis, COMPLETE),
      release: luaScript(redis, RELEASE),
      claims: 0,
    };
    scriptsByClient.set(redis, scripts);
  }
  return scripts;
}

/** The result as the run record keeps it: JSON, or a note of its size when it is too long to keep. */
function boundedResult(result: unknown): string {
  if (result === undefined) return "";
  const text = JSON.stringify(result);
  return text.length <= RESULT_LIMIT_CHARS ? text : JSON.stringify({ truncated: true, chars: text.length });
}

export function createIdempotencyGuard(redis: ScriptClient, now: () => number) {
  const scripts = scriptsFor(redis);
  return {
    async claim(input: ClaimInput): Promise<Claim> {
      const key = leaseKey(input.idempotencyKey);
      const leaseValue = `running:${input.leaseId}:${Math.ceil(input.deadlineMs)}`;
      const tokenMs = input.token ? Math.max(0, input.token.exp * 1_000 - input.nowMs) : 0;
      const keys = [key, runKey(input.messageId), RECENT_RUNS_KEY, input.token ? tokenKey(input.token.jti) : key];
      const [state, detail] = (await scripts.claim(
        keys,
        [
          leaseValue,
          input.leaseMs,
          input.jobName,
          input.nowMs,
          input.idempotencyKey,
          RUN_TTL_SECONDS,
          input.messageId,
          scripts.claims++ % TRIM_EVERY === 0 ? RECENT_RUNS_LIMIT : 0,
          // An expired token never verifies; one in its last millisecond still gets a moment's claim.
          input.token ? Math.max(1, Math.ceil(tokenMs)) : 0,
        ].map(String),
      )) as [number, string | number];
      if (state === ANSWER.replay) return { state: "replay" };
      if (state === ANSWER.done) return { state: "done", messageId: String(detail) };
      if (state === ANSWER.running) return { state: "running", retryAfterMs: Math.max(0, Number(detail)) };
      const runKeys = [key, runKey(input.messageId)];
      const startedAt = input.nowMs;
      return {
        state: "claimed",
        attempt: Number(detail),
        lease: {
          async complete(result) {
            const finishedAt = now();
            await scripts.complete(
              runKeys,
              [leaseValue, `done:${input.messageId}`, DONE_TTL_MS, finishedAt, finishedAt - startedAt, boundedResult(result)].map(
                String,
              ),
            );
          },
          async release(error) {
            const finishedAt = now();
            await scripts.release(
              runKeys,
              [leaseValue, finishedAt, finishedAt - startedAt, error.slice(0, ERROR_LIMIT_CHARS)].map(String),
            );
          },
        },
      };
    },
  };
}

export type IdempotencyGuard = ReturnType<typeof createIdempotencyGuard>;
