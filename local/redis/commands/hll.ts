import { fail, typeOf, WRONGTYPE, type CommandContext, type CommandImpl } from "./context";
import { HyperLogLog } from "./types";

const NOT_HLL = "WRONGTYPE Key is not a valid HyperLogLog string value.";

/** The HyperLogLog at `key`; a list or hash is WRONGTYPE, any other string is not a valid HLL. */
function readHll(ctx: CommandContext, key: string): HyperLogLog | undefined {
  const value = ctx.ks.get(key);
  if (value === undefined) return undefined;
  if (value instanceof HyperLogLog) return value;
  if (typeOf(value) !== "string") return fail(WRONGTYPE);
  const parsed = HyperLogLog.fromBytes(typeof value === "string" ? Buffer.from(value, "utf8") : (value as Buffer));
  return parsed ?? fail(NOT_HLL);
}

function pfadd(ctx: CommandContext, [key, ...members]: string[]): number {
  const existing = readHll(ctx, key!);
  const hll = existing ?? new HyperLogLog();
  const before = hll.members.size;
  for (const member of members) hll.members.add(member);
  ctx.ks.set(key!, hll);
  return !existing || hll.members.size !== before ? 1 : 0;
}

function pfcount(ctx: CommandContext, keys: string[]): number {
  const union = new Set<string>();
  for (const key of keys) for (const member of readHll(ctx, key)?.members ?? []) union.add(member);
  return union.size;
}

function pfmerge(ctx: CommandContext, [destination, ...sources]: string[]): string {
  const target = readHll(ctx, destination!) ?? new HyperLogLog();
  for (const key of sources) for (const member of readHll(ctx, key)?.members ?? []) target.members.add(member);
  ctx.ks.set(destination!, target);
  return "OK";
}

export const hllCommands: Record<string, CommandImpl> = { pfadd, pfcount, pfmerge };
