import { createRequire } from "node:module";
import { NOT_INTEGER } from "./commands/context";
import { JSON_COMMAND_SPECS } from "./commands/json";
import type { Command } from "./engine";

/**
 * Redis behaviour ioredis-mock skips, restored in front of it so the embedded
 * engine answers like a real server where callers notice: arity and unknown
 * commands, lowercase option keywords (the Upstash SDK sends `nx`, `px`,
 * `withscores`; the mock only matches uppercase), integer arguments, and
 * WRONGTYPE / "not an integer" errors (the mock would return NaN or null).
 * The shared parity test runs against a real redis-server to keep this honest.
 */

interface CommandSpec {
  /** Redis arity: exact when positive, minimum when negative; the name counts. */
  arity: number;
  flags: string[];
  keyStart: number;
  keyStop: number;
  step: number;
}

// @ioredis/commands ships with ioredis (Redis's own command table); resolve it
// through ioredis so this works however npm laid out node_modules.
const requireHere = createRequire(import.meta.url);
const requireFromIoredis = createRequire(requireHere.resolve("ioredis"));
const COMMANDS: Record<string, CommandSpec> = {
  ...(requireFromIoredis("@ioredis/commands/built/commands.json") as Record<string, CommandSpec>),
  // Upstash's RedisJSON commands, which Redis's own table does not have.
  ...Object.fromEntries(
    Object.entries(JSON_COMMAND_SPECS).map(([name, spec]) => [
      name,
      { arity: spec.arity, flags: spec.write ? ["write"] : ["readonly"], keyStart: 1, keyStop: 1, step: 1 },
    ]),
  ),
};

/** Whether Redis's command table (plus Upstash's JSON.*) has the command. */
export function isKnownCommand(name: string): boolean {
  return Object.hasOwn(COMMANDS, name);
}

/** Commands Redis flags as writes, gathered once: asked for every command a script runs. */
const WRITE_COMMANDS: ReadonlySet<string> = new Set(
  Object.entries(COMMANDS)
    .filter(([, spec]) => spec.flags.includes("write"))
    .map(([name]) => name),
);

/** Whether Redis flags the command as a write (refused inside EVAL_RO). */
export function isWriteCommand(name: string): boolean {
  return WRITE_COMMANDS.has(name);
}

/** The key arguments of a command, from Redis's command table (first/last key and step). */
export function commandKeys(command: Command): string[] {
  const spec = COMMANDS[(command[0] ?? "").toLowerCase()];
  if (!spec || spec.keyStart <= 0 || spec.step <= 0) return [];
  const last = spec.keyStop < 0 ? command.length + spec.keyStop : spec.keyStop;
  const keys: string[] = [];
  for (let i = spec.keyStart; i <= last && i < command.length; i += spec.step) keys.push(command[i]!);
  return keys;
}

/** Inline error text for a command Redis would refuse before running it, else null. */
export function staticError(command: Command): string | null {
  const name = (command[0] ?? "").toLowerCase();
  const spec = COMMANDS[name];
  if (!spec) {
    const preview = command
      .slice(1, 4)
      .map((arg) => `'${arg}' `)
      .join("");
    return `ERR unknown command '${command[0]}', with args beginning with: ${preview}`;
  }
  return arityError(name, command.length);
}

/**
 * Redis's error for a known command (`name` lowercase) given `length` words, name included,
 * that its arity (looked up unless given) does not allow, else null. Split out of `staticError` for `redis.call`,
 * which has the name and its arguments apart and checks them without building the command.
 */
export function arityError(name: string, length: number, arity = COMMANDS[name]?.arity): string | null {
  if (arity === undefined) return null;
  if ((arity > 0 && length !== arity) || (arity < 0 && length < -arity)) {
    return `ERR wrong number of arguments for '${name}' command`;
  }
  return null;
}

/** Redis's arity of a known command (exact when positive, a minimum when negative; the name counts). */
export function commandArity(name: string): number | undefined {
  return isKnownCommand(name) ? COMMANDS[name]!.arity : undefined;
}

interface KeywordRule {
  /** Index (0 = command name) where options start. */
  from: number;
  /** Option keyword → how many values follow it. */
  keywords: Record<string, number>;
  /** Options come first and end at the first non-keyword (ZADD's score/member pairs). */
  leadingOnly?: boolean;
}

const EXPIRE_FLAGS = { NX: 0, XX: 0, GT: 0, LT: 0 };
const SCAN_OPTIONS = { MATCH: 1, COUNT: 1, TYPE: 1, NOVALUES: 0 };
const RANGE_OPTIONS = { WITHSCORES: 0, LIMIT: 2 };

const KEYWORDS: Record<string, KeywordRule> = {
  set: { from: 3, keywords: { NX: 0, XX: 0, GET: 0, EX: 1, PX: 1, EXAT: 1, PXAT: 1, KEEPTTL: 0 } },
  getex: { from: 2, keywords: { EX: 1, PX: 1, EXAT: 1, PXAT: 1, PERSIST: 0 } },
  expire: { from: 3, keywords: EXPIRE_FLAGS },
  pexpire: { from: 3, keywords: EXPIRE_FLAGS },
  expireat: { from: 3, keywords: EXPIRE_FLAGS },
  pexpireat: { from: 3, keywords: EXPIRE_FLAGS },
  scan: { from: 2, keywords: SCAN_OPTIONS },
  hscan: { from: 3, keywords: SCAN_OPTIONS },
  sscan: { from: 3, keywords: SCAN_OPTIONS },
  zscan: { from: 3, keywords: SCAN_OPTIONS },
  zadd: { from: 2, keywords: { NX: 0, XX: 0, GT: 0, LT: 0, CH: 0, INCR: 0 }, leadingOnly: true },
  zrange: { from: 4, keywords: { BYSCORE: 0, BYLEX: 0, REV: 0, ...RANGE_OPTIONS } },
  zrevrange: { from: 4, keywords: RANGE_OPTIONS },
  zrangebyscore: { from: 4, keywords: RANGE_OPTIONS },
  zrevrangebyscore: { from: 4, keywords: RANGE_OPTIONS },
  zrangebylex: { from: 4, keywords: RANGE_OPTIONS },
  zrevrangebylex: { from: 4, keywords: RANGE_OPTIONS },
  lpos: { from: 3, keywords: { RANK: 1, COUNT: 1, MAXLEN: 1 } },
  flushall: { from: 1, keywords: { ASYNC: 0, SYNC: 0 } },
  flushdb: { from: 1, keywords: { ASYNC: 0, SYNC: 0 } },
  linsert: { from: 2, keywords: { BEFORE: 0, AFTER: 0 }, leadingOnly: true },
};

/** Uppercases option keywords (never keys, values or patterns). */
export function normalizeKeywords(command: Command): Command {
  const rule = KEYWORDS[(command[0] ?? "").toLowerCase()];
  if (!rule) return command;
  const out = [...command];
  for (let i = rule.from; i < out.length; i++) {
    const upper = out[i]!.toUpperCase();
    const values = rule.keywords[upper];
    if (values === undefined) {
      if (rule.leadingOnly) break;
      continue;
    }
    out[i] = upper;
    i += values;
  }
  return out;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function isRedisInteger(text: string | null | undefined): boolean {
  if (text == null || !/^-?\d{1,20}$/.test(text) || /^-?0\d/.test(text) || text === "-0") return false;
  const value = BigInt(text);
  return value >= INT64_MIN && value <= INT64_MAX;
}

function isRedisFloat(text: string | null | undefined): boolean {
  return text != null && text.trim() === text && text !== "" && Number.isFinite(Number(text));
}

/** Positions (0 = name) that must hold an integer. */
const INTEGER_ARGS: Record<string, number[]> = {
  incrby: [2],
  decrby: [2],
  hincrby: [3],
  expire: [2],
  pexpire: [2],
  expireat: [2],
  pexpireat: [2],
  setex: [2],
  psetex: [2],
  lrange: [2, 3],
  ltrim: [2, 3],
  lindex: [2],
  getrange: [2, 3],
  zremrangebyrank: [2, 3],
};

/** Argument errors Redis reports before touching data, else null. */
export function argumentError(command: Command): string | null {
  const name = (command[0] ?? "").toLowerCase();
  for (const index of INTEGER_ARGS[name] ?? []) {
    if (!isRedisInteger(command[index])) return NOT_INTEGER;
  }
  if ((name === "setex" || name === "psetex") && BigInt(command[2]!) <= 0n) {
    return `ERR invalid expire time in '${name}' command`;
  }
  if (name === "incrbyfloat" && !isRedisFloat(command[2])) return "ERR value is not a valid float";
  if (name === "set") {
    for (let i = 3; i < command.length; i++) {
      if (!["EX", "PX", "EXAT", "PXAT"].includes(command[i]!)) continue;
      const value = command[i + 1];
      if (!isRedisInteger(value)) return value === undefined ? "ERR syntax error" : NOT_INTEGER;
      if (BigInt(value!) <= 0n) return "ERR invalid expire time in 'set' command";
    }
  }
  return null;
}

const TYPED: Array<[string, string[]]> = [
  [
    "string",
    [
      "get",
      "getset",
      "getdel",
      "getex",
      "getrange",
      "append",
      "strlen",
      "incr",
      "incrby",
      "decr",
      "decrby",
      "incrbyfloat",
      "setrange",
      "getbit",
      "setbit",
      "bitcount",
    ],
  ],
  [
    "hash",
    [
      "hset",
      "hsetnx",
      "hget",
      "hmget",
      "hmset",
      "hgetall",
      "hdel",
      "hlen",
      "hkeys",
      "hvals",
      "hexists",
      "hincrby",
      "hincrbyfloat",
      "hstrlen",
      "hscan",
      "hrandfield",
    ],
  ],
  [
    "list",
    [
      "lpush",
      "rpush",
      "lpushx",
      "rpushx",
      "lpop",
      "rpop",
      "llen",
      "lrange",
      "lindex",
      "lset",
      "lrem",
      "ltrim",
      "linsert",
      "lpos",
      "rpoplpush",
      "lmove",
    ],
  ],
  ["set", ["sadd", "srem", "smembers", "sismember", "smismember", "scard", "spop", "srandmember", "smove", "sscan"]],
  [
    "zset",
    [
      "zadd",
      "zrem",
      "zscore",
      "zmscore",
      "zincrby",
      "zcard",
      "zcount",
      "zrange",
      "zrangebyscore",
      "zrevrange",
      "zrevrangebyscore",
      "zrank",
      "zrevrank",
      "zremrangebyrank",
      "zremrangebyscore",
      "zpopmin",
      "zpopmax",
      "zscan",
    ],
  ],
];
const EXPECTED_TYPE = new Map(TYPED.flatMap(([type, names]) => names.map((name) => [name, type] as const)));

/** Reads data the checks need, synchronously (a script cannot wait); backed by the engine's keyspace. */
export interface DataView {
  type(key: string): string;
  get(key: string): string | null;
  hget(key: string, field: string): string | null;
}

export const WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";

/** Errors that depend on stored data (WRONGTYPE, non-integer counters), else null. Synchronous, for scripts too. */
export function dataError(command: Command, data: DataView): string | null {
  const name = (command[0] ?? "").toLowerCase();
  const expected = EXPECTED_TYPE.get(name);
  const key = command[1];
  if (!expected || key === undefined) return null;
  const actual = data.type(key);
  if (actual !== "none" && actual !== expected) return WRONGTYPE;
  // The mock answers nil when RPOPLPUSH's destination holds another type; Redis refuses.
  if (name === "rpoplpush" && !["none", "list"].includes(data.type(command[2]!))) return WRONGTYPE;
  if (["incr", "decr", "incrby", "decrby"].includes(name) && actual === "string") {
    if (!isRedisInteger(data.get(key))) return NOT_INTEGER;
  }
  if (name === "incrbyfloat" && actual === "string" && !isRedisFloat(data.get(key))) {
    return "ERR value is not a valid float";
  }
  if (name === "hincrby" && actual === "hash") {
    const value = data.hget(key, command[2]!);
    if (value !== null && !isRedisInteger(value)) return "ERR hash value is not an integer";
  }
  return null;
}
