import { parseCursor, parseScanOptions } from "./keys";
import { formatScore, sortedEntries } from "./zsets";
import {
  fail,
  formatLongDouble,
  parseFloatArg,
  parseInteger,
  readHash,
  readList,
  readSet,
  readZset,
  SYNTAX,
  upper,
  type CommandContext,
  type CommandImpl,
} from "./context";

// ── lists ─────────────────────────────────────────────────────────────────

function direction(text: string | undefined): "LEFT" | "RIGHT" {
  const value = upper(text);
  return value === "LEFT" || value === "RIGHT" ? value : fail(SYNTAX);
}

function lmove(ctx: CommandContext, [source, destination, from, to]: string[]): string | null {
  const whereFrom = direction(from);
  const whereTo = direction(to);
  const list = readList(ctx, source!);
  const target = readList(ctx, destination!);
  if (!list || list.length === 0) return null;
  const value = whereFrom === "LEFT" ? list.shift()! : list.pop()!;
  if (list.length === 0 && source !== destination) ctx.ks.delete(source!);
  const into = source === destination ? list : (target ?? []);
  if (whereTo === "LEFT") into.unshift(value);
  else into.push(value);
  ctx.ks.set(destination!, into);
  return value;
}

function pushExisting(left: boolean): CommandImpl {
  return (ctx, [key, ...values]) => {
    const list = readList(ctx, key!);
    if (!list) return 0;
    for (const value of values) {
      if (left) list.unshift(value);
      else list.push(value);
    }
    return list.length;
  };
}

function lset(ctx: CommandContext, [key, indexText, value]: string[]): string {
  const index = parseInteger(indexText);
  const list = readList(ctx, key!);
  if (!list) fail("ERR no such key");
  const at = index < 0 ? list!.length + index : index;
  if (at < 0 || at >= list!.length) fail("ERR index out of range");
  list![at] = value!;
  return "OK";
}

function linsert(ctx: CommandContext, [key, where, pivot, value]: string[]): number {
  const position = upper(where);
  if (position !== "BEFORE" && position !== "AFTER") fail(SYNTAX);
  const list = readList(ctx, key!);
  if (!list) return 0;
  const index = list.indexOf(pivot!);
  if (index === -1) return -1;
  list.splice(position === "BEFORE" ? index : index + 1, 0, value!);
  return list.length;
}

// ── scans of one key ──────────────────────────────────────────────────────

/** HSCAN, SSCAN, ZSCAN: everything in one call, cursor 0 (see SCAN in keys.ts). */
function scanOne(read: (ctx: CommandContext, key: string) => Array<[string, string | null]> | undefined): CommandImpl {
  return (ctx, [key, cursor, ...options]) => {
    parseCursor(cursor);
    const { match } = parseScanOptions(options, false);
    const items = read(ctx, key!) ?? [];
    const out: string[] = [];
    for (const [member, value] of items) {
      if (match && !match.test(member)) continue;
      out.push(member);
      if (value !== null) out.push(value);
    }
    return ["0", out];
  };
}

// ── hashes ────────────────────────────────────────────────────────────────

function hincrbyfloat(ctx: CommandContext, [key, field, increment]: string[]): string {
  const by = parseFloatArg(increment);
  const hash = readHash(ctx, key!) ?? {};
  const current = Object.hasOwn(hash, field!) ? hash[field!]! : "0";
  const base = parseFloatArg(current, "ERR hash value is not a float");
  const text = formatLongDouble(base + by);
  hash[field!] = text;
  ctx.ks.set(key!, hash);
  return text;
}

// ── sets ──────────────────────────────────────────────────────────────────

function sintercard(ctx: CommandContext, [numText, ...rest]: string[]): number {
  const count = parseInteger(numText, "ERR numkeys should be greater than 0");
  if (count <= 0) fail("ERR numkeys should be greater than 0");
  if (count > rest.length) fail("ERR Number of keys can't be greater than number of args");
  const keys = rest.slice(0, count);
  const options = rest.slice(count);
  let limit = 0;
  for (let i = 0; i < options.length; i++) {
    if (upper(options[i]) === "LIMIT" && i + 1 < options.length) {
      limit = parseInteger(options[++i], "ERR LIMIT can't be negative");
      if (limit < 0) fail("ERR LIMIT can't be negative");
    } else fail(SYNTAX);
  }
  const sets = keys.map((key) => readSet(ctx, key));
  if (sets.some((set) => !set)) return 0;
  const [smallest, ...others] = (sets as Array<Set<string>>).sort((a, b) => a.size - b.size);
  let found = 0;
  for (const member of smallest!) {
    if (others.every((set) => set.has(member))) {
      found++;
      if (limit > 0 && found >= limit) break;
    }
  }
  return found;
}

export const collectionCommands: Record<string, CommandImpl> = {
  lmove,
  lpushx: pushExisting(true),
  rpushx: pushExisting(false),
  lset,
  linsert,
  hscan: scanOne((ctx, key) => {
    const hash = readHash(ctx, key);
    return hash && Object.entries(hash);
  }),
  sscan: scanOne((ctx, key) => {
    const set = readSet(ctx, key);
    return set && [...set].map((member) => [member, null] as [string, null]);
  }),
  zscan: scanOne((ctx, key) => {
    const zset = readZset(ctx, key);
    return zset && sortedEntries(zset).map(({ value, score }) => [value, formatScore(score)] as [string, string]);
  }),
  hincrbyfloat,
  hstrlen: (ctx, [key, field]) => {
    const hash = readHash(ctx, key!);
    return hash && Object.hasOwn(hash, field!) ? Buffer.byteLength(hash[field!]!, "utf8") : 0;
  },
  sintercard,
};
