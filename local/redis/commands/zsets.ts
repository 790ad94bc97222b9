import {
  fail,
  formatDouble,
  parseFloatArg,
  parseInteger,
  readZset,
  SYNTAX,
  upper,
  WRONGTYPE,
  type CommandContext,
  type CommandImpl,
  type Zset,
} from "./context";

/**
 * Sorted sets, all commands implemented here. The stored shape stays the mock's
 * (Map member → {score, value}); the order by (score, member) is computed once
 * and cached until the next write to that set, so a range read on a large set is
 * a binary search, not a sort.
 */

interface Entry {
  score: number;
  value: string;
}

const sortedCache = new WeakMap<Zset, Entry[]>();

const compareEntries = (a: Entry, b: Entry) =>
  a.score !== b.score ? a.score - b.score : a.value < b.value ? -1 : a.value > b.value ? 1 : 0;

/** Entries by (score, member); do not mutate. */
export function sortedEntries(zset: Zset): Entry[] {
  let sorted = sortedCache.get(zset);
  if (!sorted) {
    sorted = [...zset.values()].sort(compareEntries);
    sortedCache.set(zset, sorted);
  }
  return sorted;
}

/**
 * Keeps the cached order in step with one member's change (`previous` → `next`,
 * either may be absent): a binary search and one splice instead of a re-sort.
 * Every write to a sorted set goes through here or `forgetOrder`.
 */
function reorder(zset: Zset, previous: Entry | undefined, next: Entry | undefined): void {
  const sorted = sortedCache.get(zset);
  if (!sorted) return;
  if (previous) {
    const at = firstIndex(sorted, (entry) => compareEntries(entry, previous) >= 0);
    if (sorted[at]?.value === previous.value) sorted.splice(at, 1);
    else sortedCache.delete(zset);
  }
  if (next && sortedCache.has(zset))
    sorted.splice(
      firstIndex(sorted, (entry) => compareEntries(entry, next) >= 0),
      0,
      next,
    );
}

function forgetOrder(zset: Zset): void {
  sortedCache.delete(zset);
}

/** Sets one member's score, keeping the cached order. */
function put(zset: Zset, member: string, score: number): void {
  const next = { score, value: member };
  reorder(zset, zset.get(member), next);
  zset.set(member, next);
}

export const formatScore = formatDouble;

/** Writes `zset` under `key`, or deletes the key when it is empty. */
function store(ctx: CommandContext, key: string, zset: Zset): void {
  if (zset.size === 0) ctx.ks.delete(key);
  else ctx.ks.set(key, zset);
}

// ── ranges ────────────────────────────────────────────────────────────────

interface ScoreBound {
  value: number;
  exclusive: boolean;
}

function scoreBound(text: string | undefined): ScoreBound {
  const exclusive = text?.startsWith("(") ?? false;
  const value = parseFloatArg(exclusive ? text!.slice(1) : text, "ERR min or max is not a float");
  return { value, exclusive };
}

const aboveMin = (score: number, min: ScoreBound) => (min.exclusive ? score > min.value : score >= min.value);
const belowMax = (score: number, max: ScoreBound) => (max.exclusive ? score < max.value : score <= max.value);

interface LexBound {
  value: string;
  kind: "min" | "max" | "inclusive" | "exclusive";
}

function lexBound(text: string | undefined): LexBound {
  if (text === "-") return { value: "", kind: "min" };
  if (text === "+") return { value: "", kind: "max" };
  if (text?.startsWith("[")) return { value: text.slice(1), kind: "inclusive" };
  if (text?.startsWith("(")) return { value: text.slice(1), kind: "exclusive" };
  return fail("ERR min or max not valid string range item");
}

function lexAboveMin(member: string, min: LexBound): boolean {
  if (min.kind === "min") return true;
  if (min.kind === "max") return false;
  return min.kind === "inclusive" ? member >= min.value : member > min.value;
}

function lexBelowMax(member: string, max: LexBound): boolean {
  if (max.kind === "max") return true;
  if (max.kind === "min") return false;
  return max.kind === "inclusive" ? member <= max.value : member < max.value;
}

/** First index whose entry satisfies `ok`, for predicates monotonic over the order. */
function firstIndex(entries: Entry[], ok: (entry: Entry) => boolean): number {
  let low = 0;
  let high = entries.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (ok(entries[mid]!)) high = mid;
    else low = mid + 1;
  }
  return low;
}

function byScore(entries: Entry[], min: ScoreBound, max: ScoreBound): Entry[] {
  const from = firstIndex(entries, (entry) => aboveMin(entry.score, min));
  const to = firstIndex(entries, (entry) => !belowMax(entry.score, max));
  return from < to ? entries.slice(from, to) : [];
}

function byLex(entries: Entry[], min: LexBound, max: LexBound): Entry[] {
  // Lex ranges assume equal scores (as Redis does); filter keeps the answer right anyway.
  return entries.filter((entry) => lexAboveMin(entry.value, min) && lexBelowMax(entry.value, max));
}

function byRank(entries: Entry[], startText: string | undefined, stopText: string | undefined): Entry[] {
  let start = parseInteger(startText);
  let stop = parseInteger(stopText);
  const length = entries.length;
  if (start < 0) start = length + start;
  if (stop < 0) stop = length + stop;
  if (start < 0) start = 0;
  if (start > stop || start >= length) return [];
  if (stop >= length) stop = length - 1;
  return entries.slice(start, stop + 1);
}

function limit(entries: Entry[], offset: number, count: number): Entry[] {
  if (offset < 0) return [];
  return count < 0 ? entries.slice(offset) : entries.slice(offset, offset + count);
}

function withScores(entries: Entry[], scores: boolean): string[] {
  const out: string[] = [];
  for (const entry of entries) {
    out.push(entry.value);
    if (scores) out.push(formatDouble(entry.score));
  }
  return out;
}

interface RangeRequest {
  by: "rank" | "score" | "lex";
  rev: boolean;
  limit: [number, number] | null;
  withScores: boolean;
}

/** Entries ZRANGE-style: `start`/`stop` are already in the command's order (REV: max first). */
function selectRange(zset: Zset | undefined, start: string, stop: string, request: RangeRequest): Entry[] {
  let picked: Entry[];
  if (request.by === "score") {
    const [min, max] = request.rev ? [scoreBound(stop), scoreBound(start)] : [scoreBound(start), scoreBound(stop)];
    if (!zset) return [];
    picked = byScore(sortedEntries(zset), min, max);
    if (request.rev) picked = picked.reverse();
  } else if (request.by === "lex") {
    const [min, max] = request.rev ? [lexBound(stop), lexBound(start)] : [lexBound(start), lexBound(stop)];
    if (!zset) return [];
    picked = byLex(sortedEntries(zset), min, max);
    if (request.rev) picked = picked.reverse();
  } else {
    parseInteger(start);
    parseInteger(stop);
    if (!zset) return [];
    const ordered = request.rev ? sortedEntries(zset).slice().reverse() : sortedEntries(zset);
    picked = byRank(ordered, start, stop);
  }
  return request.limit ? limit(picked, request.limit[0], request.limit[1]) : picked;
}

function parseRangeOptions(options: string[], request: RangeRequest, allowBy: boolean): RangeRequest {
  for (let i = 0; i < options.length; i++) {
    const option = upper(options[i]);
    if (option === "WITHSCORES") request.withScores = true;
    else if (option === "LIMIT" && i + 2 < options.length) {
      request.limit = [parseInteger(options[i + 1]), parseInteger(options[i + 2])];
      i += 2;
    } else if (allowBy && option === "BYSCORE") request.by = "score";
    else if (allowBy && option === "BYLEX") request.by = "lex";
    else if (allowBy && option === "REV") request.rev = true;
    else fail(SYNTAX);
  }
  if (request.limit && request.by === "rank")
    fail("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
  if (request.withScores && request.by === "lex") fail("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
  return request;
}

const rangeCommand =
  (base: Omit<RangeRequest, "limit" | "withScores">, allowBy: boolean): CommandImpl =>
  (ctx, [key, start, stop, ...options]) => {
    const request = parseRangeOptions(options, { ...base, limit: null, withScores: false }, allowBy);
    return withScores(selectRange(readZset(ctx, key!), start!, stop!, request), request.withScores);
  };

function zrangestore(ctx: CommandContext, [destination, source, start, stop, ...options]: string[]): number {
  const request = parseRangeOptions(options, { by: "rank", rev: false, limit: null, withScores: false }, true);
  if (request.withScores) fail(SYNTAX);
  const picked = selectRange(readZset(ctx, source!), start!, stop!, request);
  const out: Zset = new Map(picked.map((entry) => [entry.value, { ...entry }]));
  ctx.ks.delete(destination!);
  store(ctx, destination!, out);
  return out.size;
}

// ── writes ────────────────────────────────────────────────────────────────

function zadd(ctx: CommandContext, [key, ...rest]: string[]): unknown {
  const flags = new Set<string>();
  let i = 0;
  for (; i < rest.length; i++) {
    const flag = upper(rest[i]);
    if (!["NX", "XX", "GT", "LT", "CH", "INCR"].includes(flag)) break;
    flags.add(flag);
  }
  const pairs = rest.slice(i);
  if (pairs.length === 0 || pairs.length % 2 !== 0) fail(SYNTAX);
  if (flags.has("NX") && flags.has("XX")) fail("ERR XX and NX options at the same time are not compatible");
  if ((flags.has("GT") && flags.has("NX")) || (flags.has("LT") && flags.has("NX")) || (flags.has("GT") && flags.has("LT"))) {
    fail("ERR GT, LT, and/or NX options at the same time are not compatible");
  }
  const incr = flags.has("INCR");
  if (incr && pairs.length > 2) fail("ERR INCR option supports a single increment-element pair");
  const scores: number[] = [];
  for (let p = 0; p < pairs.length; p += 2) scores.push(parseFloatArg(pairs[p]));
  const existing = readZset(ctx, key!);
  if (!existing && flags.has("XX")) return incr ? null : 0;
  const zset: Zset = existing ?? new Map();
  let added = 0;
  let updated = 0;
  let incrResult: number | null = null;
  for (let p = 0; p < pairs.length; p += 2) {
    const member = pairs[p + 1]!;
    let score = scores[p / 2]!;
    const current = zset.get(member);
    if (current) {
      if (flags.has("NX")) continue;
      if (incr) {
        score = current.score + score;
        if (Number.isNaN(score)) fail("ERR resulting score is not a number (NaN)");
      }
      if ((flags.has("GT") && score <= current.score) || (flags.has("LT") && score >= current.score)) continue;
      if (incr) incrResult = score;
      if (score !== current.score) {
        put(zset, member, score);
        updated++;
      }
    } else {
      if (flags.has("XX")) continue;
      put(zset, member, score);
      added++;
      if (incr) incrResult = score;
    }
  }
  if (zset.size > 0) store(ctx, key!, zset);
  if (incr) return incrResult === null ? null : formatDouble(incrResult);
  return flags.has("CH") ? added + updated : added;
}

function zincrby(ctx: CommandContext, [key, increment, member]: string[]): string {
  const by = parseFloatArg(increment);
  const zset = readZset(ctx, key!) ?? new Map();
  const score = (zset.get(member!)?.score ?? 0) + by;
  if (Number.isNaN(score)) fail("ERR resulting score is not a number (NaN)");
  put(zset, member!, score);
  store(ctx, key!, zset);
  return formatDouble(score);
}

function zrem(ctx: CommandContext, [key, ...members]: string[]): number {
  const zset = readZset(ctx, key!);
  if (!zset) return 0;
  let removed = 0;
  for (const member of members) {
    const entry = zset.get(member);
    if (!entry) continue;
    reorder(zset, entry, undefined);
    zset.delete(member);
    removed++;
  }
  store(ctx, key!, zset);
  return removed;
}

function removeEntries(ctx: CommandContext, key: string, zset: Zset, entries: Entry[]): number {
  // A few removals keep the cached order; a large range is cheaper to re-sort on the next read.
  const removed = entries.slice();
  if (removed.length > 32) forgetOrder(zset);
  for (const entry of removed) {
    reorder(zset, entry, undefined);
    zset.delete(entry.value);
  }
  store(ctx, key, zset);
  return entries.length;
}

function pop(max: boolean): CommandImpl {
  return (ctx, [key, countText]) => {
    let count = 1;
    if (countText !== undefined) {
      count = parseInteger(countText, "ERR value is out of range, must be positive");
      if (count < 0) fail("ERR value is out of range, must be positive");
    }
    const zset = readZset(ctx, key!);
    if (!zset) return [];
    const sorted = sortedEntries(zset);
    const picked = max ? sorted.slice(Math.max(0, sorted.length - count)).reverse() : sorted.slice(0, count);
    removeEntries(ctx, key!, zset, picked);
    return withScores(picked, true);
  };
}

function zmpop(ctx: CommandContext, [numText, ...rest]: string[]): unknown {
  const count = parseInteger(numText, "ERR numkeys should be greater than 0");
  if (count <= 0) fail("ERR numkeys should be greater than 0");
  if (rest.length < count + 1) fail(SYNTAX);
  const keys = rest.slice(0, count);
  const where = upper(rest[count]);
  if (where !== "MIN" && where !== "MAX") fail(SYNTAX);
  let howMany = 1;
  const options = rest.slice(count + 1);
  if (options.length > 0) {
    if (options.length !== 2 || upper(options[0]) !== "COUNT") fail(SYNTAX);
    howMany = parseInteger(options[1], "ERR count should be greater than 0");
    if (howMany <= 0) fail("ERR count should be greater than 0");
  }
  for (const key of keys) {
    const zset = readZset(ctx, key);
    if (!zset) continue;
    const popped = pop(where === "MAX")(ctx, [key, String(howMany)]) as string[];
    const pairs: string[][] = [];
    for (let i = 0; i < popped.length; i += 2) pairs.push([popped[i]!, popped[i + 1]!]);
    return [key, pairs];
  }
  return null;
}

// ── set algebra ───────────────────────────────────────────────────────────

type Aggregate = "SUM" | "MIN" | "MAX";

/** A sorted set or a plain set (every member scoring 1) as the algebra commands read it. */
function readScored(ctx: CommandContext, key: string): Map<string, number> | undefined {
  const value = ctx.ks.get(key);
  if (value === undefined) return undefined;
  if (value instanceof Map) return new Map([...(value as Zset).values()].map((entry) => [entry.value, entry.score]));
  if (value instanceof Set) return new Map([...(value as Set<string>)].map((member) => [member, 1]));
  return fail(WRONGTYPE);
}

interface AlgebraRequest {
  keys: string[];
  weights: number[];
  aggregate: Aggregate;
  withScores: boolean;
  limit: number;
}

function parseAlgebra(
  command: string,
  args: string[],
  opts: { weights: boolean; withScores: boolean; limit?: boolean },
): AlgebraRequest {
  const count = parseInteger(args[0]);
  if (count < 1) fail(`ERR at least 1 input key is needed for '${command}' command`);
  if (count > args.length - 1) fail(SYNTAX);
  const request: AlgebraRequest = {
    keys: args.slice(1, 1 + count),
    weights: Array(count).fill(1),
    aggregate: "SUM",
    withScores: false,
    limit: 0,
  };
  const options = args.slice(1 + count);
  for (let i = 0; i < options.length; i++) {
    const option = upper(options[i]);
    if (opts.weights && option === "WEIGHTS" && options.length - i - 1 >= count) {
      request.weights = options
        .slice(i + 1, i + 1 + count)
        .map((weight) => parseFloatArg(weight, "ERR weight value is not a float"));
      i += count;
    } else if (opts.weights && option === "AGGREGATE" && i + 1 < options.length) {
      const aggregate = upper(options[++i]);
      if (aggregate !== "SUM" && aggregate !== "MIN" && aggregate !== "MAX") fail(SYNTAX);
      request.aggregate = aggregate as Aggregate;
    } else if (opts.withScores && option === "WITHSCORES") request.withScores = true;
    else if (opts.limit && option === "LIMIT" && i + 1 < options.length) {
      request.limit = parseInteger(options[++i], "ERR LIMIT can't be negative");
      if (request.limit < 0) fail("ERR LIMIT can't be negative");
    } else fail(SYNTAX);
  }
  return request;
}

function weighted(score: number, weight: number): number {
  const value = score * weight;
  return Number.isNaN(value) ? 0 : value;
}

function combine(a: number, b: number, aggregate: Aggregate): number {
  if (aggregate === "MIN") return Math.min(a, b);
  if (aggregate === "MAX") return Math.max(a, b);
  const sum = a + b;
  return Number.isNaN(sum) ? 0 : sum;
}

function compute(ctx: CommandContext, op: "union" | "inter" | "diff", request: AlgebraRequest): Entry[] {
  const inputs = request.keys.map((key) => readScored(ctx, key));
  const result = new Map<string, number>();
  if (op === "union") {
    inputs.forEach((input, n) => {
      for (const [member, score] of input ?? []) {
        const value = weighted(score, request.weights[n]!);
        const current = result.get(member);
        result.set(member, current === undefined ? value : combine(current, value, request.aggregate));
      }
    });
  } else if (op === "inter") {
    if (inputs.every((input) => input && input.size > 0)) {
      const [first, ...others] = inputs as Array<Map<string, number>>;
      for (const [member, score] of first!) {
        if (!others.every((other) => other.has(member))) continue;
        let value = weighted(score, request.weights[0]!);
        others.forEach((other, n) => {
          value = combine(value, weighted(other.get(member)!, request.weights[n + 1]!), request.aggregate);
        });
        result.set(member, value);
      }
    }
  } else {
    const [first, ...others] = inputs;
    for (const [member, score] of first ?? []) if (!others.some((other) => other?.has(member))) result.set(member, score);
  }
  return [...result].map(([value, score]) => ({ value, score })).sort(compareEntries);
}

function algebraRead(op: "union" | "inter" | "diff", command: string): CommandImpl {
  return (ctx, args) => {
    const request = parseAlgebra(command, args, { weights: op !== "diff", withScores: true });
    return withScores(compute(ctx, op, request), request.withScores);
  };
}

function algebraStore(op: "union" | "inter" | "diff", command: string): CommandImpl {
  return (ctx, [destination, ...args]) => {
    const request = parseAlgebra(command, args, { weights: op !== "diff", withScores: false });
    const entries = compute(ctx, op, request);
    ctx.ks.delete(destination!);
    store(ctx, destination!, new Map(entries.map((entry) => [entry.value, entry])));
    return entries.length;
  };
}

function zintercard(ctx: CommandContext, args: string[]): number {
  const count = parseInteger(args[0], "ERR numkeys should be greater than 0");
  if (count < 1) fail("ERR numkeys should be greater than 0");
  const request = parseAlgebra("zintercard", args, { weights: false, withScores: false, limit: true });
  const size = compute(ctx, "inter", request).length;
  return request.limit > 0 ? Math.min(size, request.limit) : size;
}

function zrandmember(ctx: CommandContext, [key, countText, scoresText]: string[]): unknown {
  const zset = readZset(ctx, key!);
  if (countText === undefined) {
    if (!zset) return null;
    const entries = [...zset.values()];
    return entries[Math.floor(Math.random() * entries.length)]!.value;
  }
  const count = parseInteger(countText);
  const scores = scoresText !== undefined && (upper(scoresText) === "WITHSCORES" || fail(SYNTAX));
  if (!zset || count === 0) return [];
  const entries = [...zset.values()];
  let picked: Entry[];
  if (count < 0) picked = Array.from({ length: -count }, () => entries[Math.floor(Math.random() * entries.length)]!);
  else if (count >= entries.length) picked = entries;
  else {
    const shuffled = entries.slice();
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    picked = shuffled.slice(0, count);
  }
  return withScores(picked, Boolean(scores));
}

function rank(reverse: boolean): CommandImpl {
  return (ctx, [key, member]) => {
    const zset = readZset(ctx, key!);
    const entry = zset?.get(member!);
    if (!zset || !entry) return null;
    const index = firstIndex(sortedEntries(zset), (other) => compareEntries(other, entry) >= 0);
    return reverse ? zset.size - 1 - index : index;
  };
}

export const zsetCommands: Record<string, CommandImpl> = {
  zadd,
  zincrby,
  zrem,
  zcard: (ctx, [key]) => readZset(ctx, key!)?.size ?? 0,
  zscore: (ctx, [key, member]) => {
    const entry = readZset(ctx, key!)?.get(member!);
    return entry ? formatDouble(entry.score) : null;
  },
  zmscore: (ctx, [key, ...members]) => {
    const zset = readZset(ctx, key!);
    return members.map((member) => {
      const entry = zset?.get(member);
      return entry ? formatDouble(entry.score) : null;
    });
  },
  zcount: (ctx, [key, min, max]) => {
    const bounds = [scoreBound(min), scoreBound(max)] as const;
    const zset = readZset(ctx, key!);
    return zset ? byScore(sortedEntries(zset), ...bounds).length : 0;
  },
  zlexcount: (ctx, [key, min, max]) => {
    const bounds = [lexBound(min), lexBound(max)] as const;
    const zset = readZset(ctx, key!);
    return zset ? byLex(sortedEntries(zset), ...bounds).length : 0;
  },
  zrange: rangeCommand({ by: "rank", rev: false }, true),
  zrevrange: rangeCommand({ by: "rank", rev: true }, false),
  zrangebyscore: rangeCommand({ by: "score", rev: false }, false),
  zrevrangebyscore: rangeCommand({ by: "score", rev: true }, false),
  zrangebylex: rangeCommand({ by: "lex", rev: false }, false),
  zrevrangebylex: rangeCommand({ by: "lex", rev: true }, false),
  zrangestore,
  zrank: rank(false),
  zrevrank: rank(true),
  zremrangebyrank: (ctx, [key, start, stop]) => {
    parseInteger(start);
    parseInteger(stop);
    const zset = readZset(ctx, key!);
    return zset ? removeEntries(ctx, key!, zset, byRank(sortedEntries(zset), start, stop)) : 0;
  },
  zremrangebyscore: (ctx, [key, min, max]) => {
    const bounds = [scoreBound(min), scoreBound(max)] as const;
    const zset = readZset(ctx, key!);
    return zset ? removeEntries(ctx, key!, zset, byScore(sortedEntries(zset), ...bounds)) : 0;
  },
  zremrangebylex: (ctx, [key, min, max]) => {
    const bounds = [lexBound(min), lexBound(max)] as const;
    const zset = readZset(ctx, key!);
    return zset ? removeEntries(ctx, key!, zset, byLex(sortedEntries(zset), ...bounds)) : 0;
  },
  zpopmin: pop(false),
  zpopmax: pop(true),
  zmpop,
  zunion: algebraRead("union", "zunion"),
  zinter: algebraRead("inter", "zinter"),
  zdiff: algebraRead("diff", "zdiff"),
  zunionstore: algebraStore("union", "zunionstore"),
  zinterstore: algebraStore("inter", "zinterstore"),
  zdiffstore: algebraStore("diff", "zdiffstore"),
  zintercard,
  zrandmember,
};
