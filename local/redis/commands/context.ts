import type { Keyspace } from "../keyspace";
import { HyperLogLog, JsonDocument, Stream } from "./types";

/**
 * What a command implemented by the embedded engine itself gets: the keyspace,
 * and the mock's command functions for the few places that reuse one.
 */
export interface CommandContext {
  ks: Keyspace;
  /** Runs one of ioredis-mock's command functions synchronously. */
  mock(name: string, ...args: string[]): unknown;
  /** Delivers a message to this engine's subscribers; returns how many received it. */
  publish(channel: string, message: string): number;
}

/** args exclude the command name. Returns the reply (see toReply in embedded-engine.ts). */
export type CommandImpl = (ctx: CommandContext, args: string[]) => unknown;

/** An error reply; the message is the full text the client sees. */
export class RedisError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export const WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";
export const SYNTAX = "ERR syntax error";
export const NOT_INTEGER = "ERR value is not an integer or out of range";
const NOT_FLOAT = "ERR value is not a valid float";

export const fail = (message: string): never => {
  throw new RedisError(message);
};

export type TypeName = "string" | "list" | "set" | "zset" | "hash" | "stream" | "ReJSON-RL" | "none";

/** The name TYPE reports for a stored value (a HyperLogLog is a string in Redis). */
export function typeOf(value: unknown): TypeName {
  if (value === undefined) return "none";
  if (typeof value === "string" || Buffer.isBuffer(value) || value instanceof HyperLogLog) return "string";
  if (Array.isArray(value)) return "list";
  if (value instanceof Set) return "set";
  if (value instanceof Map) return "zset";
  if (value instanceof Stream) return "stream";
  if (value instanceof JsonDocument) return "ReJSON-RL";
  return "hash";
}

/** The stored value when it has this type, undefined when the key is missing, else WRONGTYPE. */
export function lookup(ctx: CommandContext, key: string, type: TypeName): unknown {
  const value = ctx.ks.get(key);
  if (value === undefined) return undefined;
  if (typeOf(value) !== type) fail(WRONGTYPE);
  return value;
}

export type Zset = Map<string, { score: number; value: string }>;
export type Hash = Record<string, string>;

export const readZset = (ctx: CommandContext, key: string) => lookup(ctx, key, "zset") as Zset | undefined;
export const readHash = (ctx: CommandContext, key: string) => lookup(ctx, key, "hash") as Hash | undefined;
export const readList = (ctx: CommandContext, key: string) => lookup(ctx, key, "list") as string[] | undefined;
export const readSet = (ctx: CommandContext, key: string) => lookup(ctx, key, "set") as Set<string> | undefined;
export const readStream = (ctx: CommandContext, key: string) => lookup(ctx, key, "stream") as Stream | undefined;

/** A string value's bytes (undefined when missing); a HyperLogLog or other type is WRONGTYPE. */
export function readBytes(ctx: CommandContext, key: string): Buffer | undefined {
  const value = ctx.ks.get(key);
  if (value === undefined) return undefined;
  if (typeof value === "string") return Buffer.from(value, "utf8");
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof HyperLogLog) return value.toBytes();
  return fail(WRONGTYPE);
}

/**
 * Stores bytes as a JavaScript string when they are valid UTF-8 (the shape the
 * mock's commands expect), else as a Buffer so no byte is lost.
 */
export function toStored(bytes: Buffer): string | Buffer {
  const text = bytes.toString("utf8");
  return Buffer.byteLength(text, "utf8") === bytes.length && Buffer.from(text, "utf8").equals(bytes) ? text : Buffer.from(bytes);
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Redis's string2ll: optional minus, digits, no leading zeros or plus, within int64. */
export function parseInteger(text: string | undefined, message = NOT_INTEGER): number {
  if (text === undefined || !/^-?(0|[1-9]\d{0,18})$/.test(text) || text === "-0") return fail(message);
  const big = BigInt(text);
  if (big < INT64_MIN || big > INT64_MAX) return fail(message);
  return Number(big);
}

/** Redis's string-to-double for scores and increments: inf/-inf, no NaN, no spaces. */
export function parseFloatArg(text: string | undefined, message = NOT_FLOAT): number {
  if (text === undefined || text === "" || text.trim() !== text) return fail(message);
  const lower = text.toLowerCase();
  if (lower === "inf" || lower === "+inf" || lower === "infinity" || lower === "+infinity") return Infinity;
  if (lower === "-inf" || lower === "-infinity") return -Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)) return fail(message);
  const value = Number(text);
  return Number.isNaN(value) ? fail(message) : value;
}

/** A double as Redis 7.0 replies with it (`%.17g`; `inf`, `-inf`). */
export function formatDouble(value: number): string {
  if (value === Infinity) return "inf";
  if (value === -Infinity) return "-inf";
  // Redis stores -0 scores as 0.
  if (value === 0) return "0";
  const precise = value.toExponential(16); // 17 significant digits
  const [mantissa, exp] = precise.split("e") as [string, string];
  const e = Number(exp);
  if (e < -4 || e >= 17) {
    const trimmed = mantissa.includes(".") ? mantissa.replace(/0+$/, "").replace(/\.$/, "") : mantissa;
    return `${trimmed}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
  }
  const fixed = value.toFixed(Math.max(0, 16 - e));
  return fixed.includes(".") ? fixed.replace(/0+$/, "").replace(/\.$/, "") : fixed;
}

/**
 * A long double as INCRBYFLOAT and HINCRBYFLOAT reply with it (`%.17Lf`, trailing
 * zeros trimmed). Redis computes in 80-bit long doubles; JavaScript has only
 * doubles, so the result is rounded to 15 significant digits first, which is what
 * a long double sum like 0.1 + 0.2 prints as ("0.3").
 */
export function formatLongDouble(value: number): string {
  if (!Number.isFinite(value)) return fail("ERR increment would produce NaN or Infinity");
  const rounded = Number(value.toPrecision(15));
  if (Number.isInteger(rounded) && Math.abs(rounded) < 1e21) return BigInt(rounded).toString();
  const text = String(rounded);
  if (!text.includes("e")) return text;
  // Tiny magnitudes: JavaScript switches to exponent form where %Lf does not.
  return rounded.toFixed(20).replace(/0+$/, "").replace(/\.$/, "");
}

/** Redis's glob matching (stringmatchlen): `*`, `?`, `[abc]`, `[^a-z]`, `\x`. */
export function globToRegExp(pattern: string): RegExp {
  let out = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "*") out += "[\\s\\S]*";
    else if (c === "?") out += "[\\s\\S]";
    else if (c === "\\" && i + 1 < pattern.length) out += escapeRegExp(pattern[++i]!);
    else if (c === "[") {
      const end = pattern.indexOf("]", i + 2);
      if (end === -1) {
        out += "\\[";
        continue;
      }
      let body = pattern.slice(i + 1, end);
      const negate = body.startsWith("^");
      if (negate) body = body.slice(1);
      out += `[${negate ? "^" : ""}${body.replace(/[\]\\]/g, "\\$&")}]`;
      i = end;
    } else out += escapeRegExp(c);
  }
  return new RegExp(`^${out}$`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
}

/** Upper-cased argument for keyword comparison. */
export const upper = (text: string | undefined) => (text ?? "").toUpperCase();

/** A deep copy of a stored value, for COPY and snapshots. */
export function cloneValue(value: unknown): unknown {
  if (typeof value === "string") return value;
  if (Buffer.isBuffer(value)) return Buffer.from(value);
  if (Array.isArray(value)) return value.slice();
  if (value instanceof Set) return new Set(value);
  if (value instanceof Map) return new Map([...value].map(([member, entry]) => [member, { ...entry }]));
  if (value instanceof Stream || value instanceof HyperLogLog || value instanceof JsonDocument) return value.clone();
  return { ...(value as Hash) };
}
