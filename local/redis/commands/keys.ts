import {
  cloneValue,
  fail,
  globToRegExp,
  parseInteger,
  SYNTAX,
  typeOf,
  upper,
  type CommandContext,
  type CommandImpl,
} from "./context";

type ExpireUnit = "s" | "ms";

/** EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT with NX | XX | GT | LT. */
function expireCommand(unit: ExpireUnit, absolute: boolean): CommandImpl {
  return (ctx, [key, time, ...flags]) => {
    const amount = parseInteger(time);
    const given = new Set(flags.map(upper));
    for (const flag of given)
      if (!["NX", "XX", "GT", "LT"].includes(flag)) fail(`ERR Unsupported option ${flags.find((f) => upper(f) === flag)}`);
    if (given.has("NX") && (given.has("XX") || given.has("GT") || given.has("LT"))) {
      fail("ERR NX and XX, GT or LT options at the same time are not compatible");
    }
    if (given.has("GT") && given.has("LT")) fail("ERR GT and LT options at the same time are not compatible");
    if (!ctx.ks.has(key!)) return 0;
    const ms = unit === "s" ? amount * 1000 : amount;
    const at = absolute ? ms : ctx.ks.now() + ms;
    const current = ctx.ks.expiry(key!);
    // No TTL counts as an infinite one for GT and LT, as in Redis.
    if (given.has("NX") && current !== undefined) return 0;
    if (given.has("XX") && current === undefined) return 0;
    if (given.has("GT") && (current === undefined || at <= current)) return 0;
    if (given.has("LT") && current !== undefined && at >= current) return 0;
    if (at <= ctx.ks.now()) ctx.ks.delete(key!);
    else ctx.ks.setExpiry(key!, at);
    return 1;
  };
}

/** TTL family: Redis rounds the remaining milliseconds to the nearest second. */
function ttlCommand(unit: ExpireUnit, absolute: boolean): CommandImpl {
  return (ctx, [key]) => {
    if (!ctx.ks.has(key!)) return -2;
    const at = ctx.ks.expiry(key!);
    if (at === undefined) return -1;
    const ms = absolute ? at : Math.max(0, at - ctx.ks.now());
    return unit === "ms" ? ms : Math.floor((ms + 500) / 1000);
  };
}

function copy(ctx: CommandContext, [source, destination, ...options]: string[]): number {
  let replace = false;
  for (let i = 0; i < options.length; i++) {
    const option = upper(options[i]);
    if (option === "REPLACE") replace = true;
    else if (option === "DB" && i + 1 < options.length) {
      // One database per emulator: only DB 0 is addressable.
      if (parseInteger(options[++i]) !== 0) fail("ERR DB index is out of range");
    } else fail(SYNTAX);
  }
  if (source === destination) fail("ERR source and destination objects are the same");
  const value = ctx.ks.get(source!);
  if (value === undefined) return 0;
  if (ctx.ks.has(destination!)) {
    if (!replace) return 0;
    ctx.ks.delete(destination!);
  }
  ctx.ks.set(destination!, cloneValue(value));
  const at = ctx.ks.expiry(source!);
  if (at !== undefined) ctx.ks.setExpiry(destination!, at);
  return 1;
}

/** SCAN options shared with HSCAN, SSCAN and ZSCAN. */
export interface ScanOptions {
  match: RegExp | null;
  type: string | null;
  count: number;
}

export function parseScanOptions(options: string[], allowType: boolean): ScanOptions {
  const parsed: ScanOptions = { match: null, type: null, count: 10 };
  for (let i = 0; i < options.length; i++) {
    const option = upper(options[i]);
    const value = options[i + 1];
    if (value === undefined) fail(SYNTAX);
    if (option === "MATCH") parsed.match = globToRegExp(value!);
    else if (option === "COUNT") {
      parsed.count = parseInteger(value);
      if (parsed.count < 1) fail(SYNTAX);
    } else if (option === "TYPE" && allowType) parsed.type = value!.toLowerCase();
    else fail(SYNTAX);
    i++;
  }
  return parsed;
}

export function parseCursor(cursor: string | undefined): void {
  if (cursor === undefined || !/^\d+$/.test(cursor)) fail("ERR invalid cursor");
}

/** COUNT keys per page in creation order; the cursor is a creation number (see Keyspace.scanFrom). */
function scan(ctx: CommandContext, [cursor, ...options]: string[]): unknown {
  parseCursor(cursor);
  const { match, type, count } = parseScanOptions(options, true);
  const page = ctx.ks.scanFrom(Number(cursor), count);
  const keys = page.keys.filter(
    (key) => (!match || match.test(key)) && (!type || typeOf(ctx.ks.get(key)).toLowerCase() === type),
  );
  return [String(page.next), keys];
}

function rename(onlyIfAbsent: boolean): CommandImpl {
  return (ctx, [source, destination]) => {
    const value = ctx.ks.get(source!);
    if (value === undefined) fail("ERR no such key");
    if (onlyIfAbsent && ctx.ks.has(destination!)) return 0;
    if (source === destination) return onlyIfAbsent ? 0 : "OK";
    const at = ctx.ks.expiry(source!);
    ctx.ks.delete(source!);
    ctx.ks.delete(destination!);
    ctx.ks.set(destination!, value);
    if (at !== undefined) ctx.ks.setExpiry(destination!, at);
    return onlyIfAbsent ? 1 : "OK";
  };
}

/**
 * MEMORY USAGE as an estimate (Redis's figure depends on its allocator and
 * encodings, which the embedded engine does not have): the value's size as
 * JSON plus a fixed per-key overhead. Other subcommands are refused.
 */
function memory(ctx: CommandContext, [sub, key, ...options]: string[]): unknown {
  if (upper(sub) !== "USAGE" || key === undefined)
    return fail(
      `ERR unknown subcommand '${sub}'. The embedded engine only answers MEMORY USAGE; set REDIS_URL to use a real Redis.`,
    );
  if (options.length > 0 && (options.length !== 2 || upper(options[0]) !== "SAMPLES")) fail(SYNTAX);
  if (options.length > 0) parseInteger(options[1]);
  const value = ctx.ks.get(key);
  if (value === undefined) return null;
  const size = (item: unknown): number =>
    item instanceof Map
      ? [...item.values()].reduce((sum: number, entry: { value: string }) => sum + entry.value.length + 16, 0)
      : item instanceof Set
        ? [...item].reduce((sum: number, member: string) => sum + member.length + 8, 0)
        : Buffer.isBuffer(item)
          ? item.length
          : Buffer.byteLength(JSON.stringify(item) ?? "", "utf8");
  return 56 + Buffer.byteLength(key, "utf8") + size(value);
}

export const keyCommands: Record<string, CommandImpl> = {
  expire: expireCommand("s", false),
  pexpire: expireCommand("ms", false),
  expireat: expireCommand("s", true),
  pexpireat: expireCommand("ms", true),
  ttl: ttlCommand("s", false),
  pttl: ttlCommand("ms", false),
  expiretime: ttlCommand("s", true),
  pexpiretime: ttlCommand("ms", true),
  persist: (ctx, [key]) => (ctx.ks.has(key!) && ctx.ks.persist(key!) ? 1 : 0),
  type: (ctx, [key]) => typeOf(ctx.ks.get(key!)),
  copy,
  rename: rename(false),
  renamenx: rename(true),
  publish: (ctx, [channel, message]) => ctx.publish(channel!, message!),
  memory,
  touch: (ctx, keys) => keys.filter((key) => ctx.ks.has(key)).length,
  scan,
};
