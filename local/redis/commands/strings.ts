import {
  fail,
  formatLongDouble,
  parseFloatArg,
  parseInteger,
  readBytes,
  SYNTAX,
  toStored,
  typeOf,
  upper,
  WRONGTYPE,
  type CommandContext,
  type CommandImpl,
} from "./context";

/**
 * String commands on bytes, not JavaScript characters: STRLEN "héllo" is 6, as
 * in Redis. Values stay JavaScript strings while they are valid UTF-8 (the shape
 * ioredis-mock's own commands read) and become Buffers otherwise.
 */

const MAX_STRING = 512 * 1024 * 1024;

interface ExpireOption {
  kind: "EX" | "PX" | "EXAT" | "PXAT";
  value: number;
}

/** The expiry options shared by SET and GETEX; returns the absolute ms. */
function expireAt(ctx: CommandContext, option: ExpireOption, command: string): number {
  if (option.value <= 0) fail(`ERR invalid expire time in '${command}' command`);
  switch (option.kind) {
    case "EX":
      return ctx.ks.now() + option.value * 1000;
    case "PX":
      return ctx.ks.now() + option.value;
    case "EXAT":
      return option.value * 1000;
    case "PXAT":
      return option.value;
  }
}

function set(ctx: CommandContext, [key, value, ...options]: string[]): unknown {
  let condition: "NX" | "XX" | null = null;
  let get = false;
  let keepTtl = false;
  let expire: ExpireOption | null = null;
  for (let i = 0; i < options.length; i++) {
    const option = upper(options[i]);
    if ((option === "NX" || option === "XX") && condition === null) condition = option;
    else if (option === "GET" && !get) get = true;
    else if (option === "KEEPTTL" && !keepTtl && expire === null) keepTtl = true;
    else if (["EX", "PX", "EXAT", "PXAT"].includes(option) && expire === null && !keepTtl && i + 1 < options.length) {
      expire = { kind: option as ExpireOption["kind"], value: parseInteger(options[++i]) };
    } else fail(SYNTAX);
  }
  const at = expire ? expireAt(ctx, expire, "set") : undefined;
  const current = ctx.ks.get(key!);
  let previous: Buffer | undefined;
  if (get && current !== undefined) previous = readBytes(ctx, key!);
  const exists = current !== undefined;
  const reply = get ? (previous ?? null) : "OK";
  if ((condition === "NX" && exists) || (condition === "XX" && !exists)) return get ? reply : null;
  const ttl = keepTtl ? ctx.ks.expiry(key!) : undefined;
  ctx.ks.delete(key!);
  ctx.ks.set(key!, value!);
  if (at !== undefined) {
    if (at <= ctx.ks.now()) ctx.ks.delete(key!);
    else ctx.ks.setExpiry(key!, at);
  } else if (ttl !== undefined) ctx.ks.setExpiry(key!, ttl);
  return reply;
}

function getex(ctx: CommandContext, [key, ...options]: string[]): unknown {
  let expire: ExpireOption | null = null;
  let persist = false;
  for (let i = 0; i < options.length; i++) {
    const option = upper(options[i]);
    if (["EX", "PX", "EXAT", "PXAT"].includes(option) && expire === null && !persist && i + 1 < options.length) {
      expire = { kind: option as ExpireOption["kind"], value: parseInteger(options[++i]) };
    } else if (option === "PERSIST" && expire === null && !persist) persist = true;
    else fail(SYNTAX);
  }
  const value = readBytes(ctx, key!);
  if (value === undefined) return null;
  if (expire) {
    const at = expireAt(ctx, expire, "getex");
    if (at <= ctx.ks.now()) ctx.ks.delete(key!);
    else ctx.ks.setExpiry(key!, at);
  } else if (persist) ctx.ks.persist(key!);
  return value;
}

function getrange(ctx: CommandContext, [key, startText, endText]: string[]): Buffer {
  let start = parseInteger(startText);
  let end = parseInteger(endText);
  const value = readBytes(ctx, key!) ?? Buffer.alloc(0);
  const length = value.length;
  if (start < 0 && end < 0 && start > end) return Buffer.alloc(0);
  if (start < 0) start = length + start;
  if (end < 0) end = length + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= length) end = length - 1;
  if (start > end || length === 0) return Buffer.alloc(0);
  return value.subarray(start, end + 1);
}

function setrange(ctx: CommandContext, [key, offsetText, value]: string[]): number {
  const offset = parseInteger(offsetText);
  if (offset < 0) fail("ERR offset is out of range");
  const current = readBytes(ctx, key!);
  const patch = Buffer.from(value!, "utf8");
  if (patch.length === 0) return current?.length ?? 0;
  if (offset + patch.length > MAX_STRING) fail("ERR string exceeds maximum allowed size (proto-max-bulk-len)");
  const base = current ?? Buffer.alloc(0);
  const next = Buffer.alloc(Math.max(base.length, offset + patch.length));
  base.copy(next);
  patch.copy(next, offset);
  ctx.ks.set(key!, toStored(next));
  return next.length;
}

function append(ctx: CommandContext, [key, value]: string[]): number {
  const current = readBytes(ctx, key!);
  const next = current ? Buffer.concat([current, Buffer.from(value!, "utf8")]) : Buffer.from(value!, "utf8");
  ctx.ks.set(key!, current ? toStored(next) : value!);
  return next.length;
}

function incrbyfloat(ctx: CommandContext, [key, increment]: string[]): string {
  const by = parseFloatArg(increment);
  const current = readBytes(ctx, key!);
  const base = current === undefined ? 0 : parseFloatArg(current.toString("utf8"));
  const text = formatLongDouble(base + by);
  ctx.ks.set(key!, text);
  return text;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** INCR, DECR, INCRBY, DECRBY in 64-bit integers, refusing overflow as Redis does. */
function counter(sign: 1n | -1n, fixed: bigint | null): CommandImpl {
  return (ctx, [key, byText]) => {
    const by = fixed ?? BigInt(parseInteger(byText) === 0 ? "0" : byText!);
    if (sign === -1n && by === INT64_MIN) fail("ERR decrement would overflow");
    const current = readBytes(ctx, key!);
    const base =
      current === undefined ? 0n : BigInt(parseInteger(current.toString("utf8")) === 0 ? "0" : current.toString("utf8"));
    const next = base + sign * by;
    if (next < INT64_MIN || next > INT64_MAX) fail("ERR increment or decrement would overflow");
    const text = next.toString();
    ctx.ks.set(key!, text);
    return Number(next);
  };
}

// ── bits ──────────────────────────────────────────────────────────────────

function bitOffset(text: string | undefined): number {
  const offset = parseInteger(text, "ERR bit offset is not an integer or out of range");
  if (offset < 0 || offset >= 2 ** 32) fail("ERR bit offset is not an integer or out of range");
  return offset;
}

const bitAt = (bytes: Buffer, position: number) =>
  position >> 3 < bytes.length ? (bytes[position >> 3]! >> (7 - (position & 7))) & 1 : 0;

function setbit(ctx: CommandContext, [key, offsetText, bitText]: string[]): number {
  const offset = bitOffset(offsetText);
  if (bitText !== "0" && bitText !== "1") fail("ERR bit is not an integer or out of range");
  const current = readBytes(ctx, key!) ?? Buffer.alloc(0);
  const bytes = Buffer.alloc(Math.max(current.length, (offset >> 3) + 1));
  current.copy(bytes);
  const previous = bitAt(bytes, offset);
  const mask = 1 << (7 - (offset & 7));
  bytes[offset >> 3] = bitText === "1" ? bytes[offset >> 3]! | mask : bytes[offset >> 3]! & ~mask;
  ctx.ks.set(key!, toStored(bytes));
  return previous;
}

function getbit(ctx: CommandContext, [key, offsetText]: string[]): number {
  const offset = bitOffset(offsetText);
  return bitAt(readBytes(ctx, key!) ?? Buffer.alloc(0), offset);
}

/** Redis's start/end clamping for BITCOUNT and BITPOS; null when the range is empty. */
function clampRange(start: number, end: number, total: number): [number, number] | null {
  if (start < 0 && end < 0 && start > end) return null;
  if (start < 0) start = total + start;
  if (end < 0) end = total + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= total) end = total - 1;
  return start > end ? null : [start, end];
}

function rangeUnit(text: string | undefined): "BYTE" | "BIT" {
  if (text === undefined) return "BYTE";
  const unit = upper(text);
  return unit === "BYTE" || unit === "BIT" ? unit : fail(SYNTAX);
}

function popcount(byte: number): number {
  let count = 0;
  for (let b = byte; b; b &= b - 1) count++;
  return count;
}

function bitcount(ctx: CommandContext, [key, ...range]: string[]): number {
  if (range.length === 1 || range.length > 3) fail(SYNTAX);
  const start = range.length >= 2 ? parseInteger(range[0]) : 0;
  const end = range.length >= 2 ? parseInteger(range[1]) : -1;
  const unit = rangeUnit(range[2]);
  const bytes = readBytes(ctx, key!);
  if (!bytes) return 0;
  const total = unit === "BIT" ? bytes.length * 8 : bytes.length;
  const clamped = clampRange(start, end, total);
  if (!clamped) return 0;
  let count = 0;
  if (unit === "BYTE") for (let i = clamped[0]; i <= clamped[1]; i++) count += popcount(bytes[i]!);
  else for (let i = clamped[0]; i <= clamped[1]; i++) count += bitAt(bytes, i);
  return count;
}

function bitpos(ctx: CommandContext, [key, bitText, ...range]: string[]): number {
  const bit = parseInteger(bitText);
  if (bit !== 0 && bit !== 1) fail("ERR The bit argument must be 1 or 0.");
  if (range.length > 3) fail(SYNTAX);
  const start = range.length >= 1 ? parseInteger(range[0]) : 0;
  const end = range.length >= 2 ? parseInteger(range[1]) : -1;
  const unit = rangeUnit(range[2]);
  const bytes = readBytes(ctx, key!);
  if (!bytes) return bit === 1 ? -1 : 0;
  const total = unit === "BIT" ? bytes.length * 8 : bytes.length;
  const clamped = clampRange(start, end, total);
  if (!clamped) return -1;
  const [from, to] = unit === "BIT" ? clamped : [clamped[0] * 8, clamped[1] * 8 + 7];
  for (let i = from; i <= to; i++) if (bitAt(bytes, i) === bit) return i;
  // Looking for a clear bit with no end given: the string counts as padded with zeros.
  if (bit === 0 && range.length < 2) return to + 1;
  return -1;
}

function bitop(ctx: CommandContext, [operation, destination, ...keys]: string[]): number {
  const op = upper(operation);
  if (!["AND", "OR", "XOR", "NOT"].includes(op)) fail(SYNTAX);
  if (op === "NOT" && keys.length !== 1) fail("ERR BITOP NOT must be called with a single source key.");
  const sources = keys.map((key) => {
    const value = ctx.ks.get(key);
    if (value !== undefined && typeOf(value) !== "string") fail(WRONGTYPE);
    return readBytes(ctx, key) ?? Buffer.alloc(0);
  });
  const length = Math.max(0, ...sources.map((source) => source.length));
  if (length === 0) {
    ctx.ks.delete(destination!);
    return 0;
  }
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) {
    const bytesAt = sources.map((source) => source[i] ?? 0);
    if (op === "NOT") out[i] = ~bytesAt[0]! & 0xff;
    else out[i] = bytesAt.reduce((acc, byte) => (op === "AND" ? acc & byte : op === "OR" ? acc | byte : acc ^ byte));
  }
  ctx.ks.delete(destination!);
  ctx.ks.set(destination!, toStored(out));
  return length;
}

interface FieldType {
  signed: boolean;
  bits: number;
}

function fieldType(text: string | undefined): FieldType {
  const match = /^([iu])(\d+)$/i.exec(text ?? "");
  const bits = match ? Number(match[2]) : 0;
  const signed = match?.[1]?.toLowerCase() === "i";
  if (!match || bits < 1 || (signed && bits > 64) || (!signed && bits > 63)) {
    fail("ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.");
  }
  return { signed, bits };
}

function fieldOffset(text: string | undefined, type: FieldType): number {
  const multiplied = text?.startsWith("#") ?? false;
  const offset = parseInteger(multiplied ? text!.slice(1) : text, "ERR bit offset is not an integer or out of range");
  const bits = multiplied ? offset * type.bits : offset;
  if (offset < 0 || bits + type.bits > 2 ** 32) fail("ERR bit offset is not an integer or out of range");
  return bits;
}

function readField(bytes: Buffer, offset: number, type: FieldType): bigint {
  let value = 0n;
  for (let i = 0; i < type.bits; i++) value = (value << 1n) | BigInt(bitAt(bytes, offset + i));
  if (type.signed && type.bits > 0 && value >> BigInt(type.bits - 1) === 1n) value -= 1n << BigInt(type.bits);
  return value;
}

function writeField(bytes: Buffer, offset: number, type: FieldType, value: bigint): void {
  const unsigned = BigInt.asUintN(type.bits, value);
  for (let i = 0; i < type.bits; i++) {
    const position = offset + i;
    const bit = Number((unsigned >> BigInt(type.bits - 1 - i)) & 1n);
    const mask = 1 << (7 - (position & 7));
    bytes[position >> 3] = bit ? bytes[position >> 3]! | mask : bytes[position >> 3]! & ~mask;
  }
}

/** The value to store under the overflow policy, or null when FAIL refuses it. */
function applyOverflow(value: bigint, type: FieldType, policy: string): bigint | null {
  const min = type.signed ? -(1n << BigInt(type.bits - 1)) : 0n;
  const max = type.signed ? (1n << BigInt(type.bits - 1)) - 1n : (1n << BigInt(type.bits)) - 1n;
  if (value >= min && value <= max) return value;
  if (policy === "FAIL") return null;
  if (policy === "SAT") return value < min ? min : max;
  return type.signed ? BigInt.asIntN(type.bits, value) : BigInt.asUintN(type.bits, value);
}

function bitfield(readOnly: boolean): CommandImpl {
  return (ctx, [key, ...ops]) => {
    type Op = { kind: "GET" | "SET" | "INCRBY"; type: FieldType; offset: number; value: bigint; overflow: string };
    const parsed: Op[] = [];
    let overflow = "WRAP";
    for (let i = 0; i < ops.length; ) {
      const kind = upper(ops[i]);
      if (kind === "OVERFLOW" && !readOnly) {
        const policy = upper(ops[i + 1]);
        if (!["WRAP", "SAT", "FAIL"].includes(policy)) fail("ERR Invalid OVERFLOW type specified");
        overflow = policy;
        i += 2;
        continue;
      }
      if (kind === "GET" && i + 2 < ops.length + 1 && ops[i + 2] !== undefined) {
        const type = fieldType(ops[i + 1]);
        parsed.push({ kind, type, offset: fieldOffset(ops[i + 2], type), value: 0n, overflow });
        i += 3;
        continue;
      }
      if ((kind === "SET" || kind === "INCRBY") && ops[i + 3] !== undefined) {
        if (readOnly) fail("ERR BITFIELD_RO only supports the GET subcommand");
        const type = fieldType(ops[i + 1]);
        const offset = fieldOffset(ops[i + 2], type);
        parsed.push({ kind, type, offset, value: BigInt(parseInteger(ops[i + 3])), overflow });
        i += 4;
        continue;
      }
      if (readOnly && (kind === "SET" || kind === "INCRBY" || kind === "OVERFLOW"))
        fail("ERR BITFIELD_RO only supports the GET subcommand");
      fail(SYNTAX);
    }
    const current = readBytes(ctx, key!);
    const writes = parsed.some((op) => op.kind !== "GET");
    const needed = Math.max(
      0,
      ...parsed.filter((op) => op.kind !== "GET").map((op) => Math.ceil((op.offset + op.type.bits) / 8)),
    );
    const bytes = Buffer.alloc(Math.max(current?.length ?? 0, needed));
    current?.copy(bytes);
    const replies: Array<number | string | null> = [];
    for (const op of parsed) {
      const old = readField(bytes, op.offset, op.type);
      if (op.kind === "GET") {
        replies.push(toInteger(old));
        continue;
      }
      const target = op.kind === "SET" ? op.value : old + op.value;
      const next = applyOverflow(target, op.type, op.overflow);
      if (next === null) {
        replies.push(null);
        continue;
      }
      writeField(bytes, op.offset, op.type, next);
      replies.push(toInteger(op.kind === "SET" ? old : next));
    }
    if (writes) ctx.ks.set(key!, toStored(bytes));
    return replies;
  };
}

/** Integers beyond 2^53 keep their digits (the REST layer sends numbers as JSON). */
const toInteger = (value: bigint): number => Number(value);

// ── LCS ───────────────────────────────────────────────────────────────────

function lcs(ctx: CommandContext, [keyA, keyB, ...options]: string[]): unknown {
  let wantLen = false;
  let wantIdx = false;
  let minMatchLen = 0;
  let withMatchLen = false;
  for (let i = 0; i < options.length; i++) {
    const option = upper(options[i]);
    if (option === "LEN") wantLen = true;
    else if (option === "IDX") wantIdx = true;
    else if (option === "WITHMATCHLEN") withMatchLen = true;
    else if (option === "MINMATCHLEN" && i + 1 < options.length) minMatchLen = Math.max(0, parseInteger(options[++i]));
    else fail(SYNTAX);
  }
  const read = (key: string) => {
    const value = ctx.ks.get(key);
    if (value !== undefined && typeOf(value) !== "string") fail("ERR The specified keys must contain string values");
    return readBytes(ctx, key) ?? Buffer.alloc(0);
  };
  const a = read(keyA!);
  const b = read(keyB!);
  if (wantLen && wantIdx) fail("ERR If you want both the length and indexes, please just use IDX.");
  const width = b.length + 1;
  const table = new Uint32Array((a.length + 1) * width);
  const at = (i: number, j: number) => table[i * width + j]!;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      table[i * width + j] = a[i - 1] === b[j - 1] ? at(i - 1, j - 1) + 1 : Math.max(at(i - 1, j), at(i, j - 1));
    }
  }
  const length = at(a.length, b.length);
  if (wantLen) return length;
  // Walk back from the end as Redis does, so matches come out in its order.
  const result = Buffer.alloc(length);
  const matches: unknown[] = [];
  let idx = length;
  let i = a.length;
  let j = b.length;
  let aStart = a.length,
    aEnd = 0,
    bStart = 0,
    bEnd = 0;
  while (i > 0 && j > 0) {
    let emit = false;
    if (a[i - 1] === b[j - 1]) {
      result[idx - 1] = a[i - 1]!;
      if (aStart === a.length) {
        aStart = aEnd = i - 1;
        bStart = bEnd = j - 1;
      } else if (aStart === i && bStart === j) {
        aStart--;
        bStart--;
      } else emit = true;
      if (aStart === 0 || bStart === 0) emit = true;
      idx--;
      i--;
      j--;
    } else {
      if (at(i - 1, j) > at(i, j - 1)) i--;
      else j--;
      if (aStart !== a.length) emit = true;
    }
    const matchLen = aEnd - aStart + 1;
    if (emit) {
      if (minMatchLen === 0 || matchLen >= minMatchLen) {
        matches.push([[aStart, aEnd], [bStart, bEnd], ...(withMatchLen ? [matchLen] : [])]);
      }
      aStart = a.length;
    }
  }
  if (wantIdx) return ["matches", matches, "len", length];
  return result;
}

function get(ctx: CommandContext, key: string): string | Buffer | null {
  const value = ctx.ks.get(key);
  return typeof value === "string" ? value : (readBytes(ctx, key) ?? null);
}

export const stringCommands: Record<string, CommandImpl> = {
  get: (ctx, [key]) => get(ctx, key!),
  // Unlike GET, MGET answers nil for a key of another type instead of WRONGTYPE.
  mget: (ctx, keys) => keys.map((key) => (typeOf(ctx.ks.get(key)) === "string" ? get(ctx, key) : null)),
  set,
  getex,
  getrange,
  substr: getrange,
  setrange,
  append,
  strlen: (ctx, [key]) => readBytes(ctx, key!)?.length ?? 0,
  incrbyfloat,
  incr: counter(1n, 1n),
  decr: counter(-1n, 1n),
  incrby: counter(1n, null),
  decrby: counter(-1n, null),
  setbit,
  getbit,
  bitcount,
  bitpos,
  bitop,
  bitfield: bitfield(false),
  bitfield_ro: bitfield(true),
  lcs,
};
