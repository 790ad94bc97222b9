/**
 * The command table the differential test sends to the embedded engine and to
 * a real redis-server through the same REST layer. Each case runs on an empty
 * database as one pipeline; every reply of every command is compared.
 *
 * Cases are generated as commands × options × edge cases so that an option the
 * embedded engine ignores (an NX on EXPIRE, a GT on ZADD) shows up as a
 * divergence, not as a plausible-looking answer.
 */

import { createHash } from "node:crypto";

const sha1 = (text: string) => createHash("sha1").update(text).digest("hex");

export interface DiffCase {
  name: string;
  commands: string[][];
  /** Indexes of replies that legitimately differ between servers (generated ids); only "both succeeded" is compared. */
  volatile?: number[];
}

const cases: DiffCase[] = [];
const add = (name: string, ...commands: string[][]) => cases.push({ name, commands });

// The same absolute times on both servers; EXPIRETIME then compares them exactly.
const NOW_S = Math.floor(Date.now() / 1000);

// ── TTL options ────────────────────────────────────────────────────────────
/** Key states before an expire command; absolute commands get absolute TTLs so EXPIRETIME is exact. */
const keyStates = (absolute: boolean): Record<string, string[][]> => ({
  "missing key": [],
  "key without TTL": [["SET", "k", "v"]],
  "key with a shorter TTL": [absolute ? ["SET", "k", "v", "EXAT", String(NOW_S + 50)] : ["SET", "k", "v", "EX", "50"]],
  "key with a longer TTL": [absolute ? ["SET", "k", "v", "EXAT", String(NOW_S + 5000)] : ["SET", "k", "v", "EX", "5000"]],
});
const EXPIRE_VALUE: Record<string, string> = {
  EXPIRE: "1000",
  PEXPIRE: "1000000",
  EXPIREAT: String(NOW_S + 1000),
  PEXPIREAT: String((NOW_S + 1000) * 1000),
};
for (const command of Object.keys(EXPIRE_VALUE)) {
  for (const flag of [[], ["NX"], ["XX"], ["GT"], ["LT"], ["nx"], ["gt"]]) {
    for (const [state, setup] of Object.entries(keyStates(command.endsWith("AT")))) {
      // Relative times are probed with TTL, absolute ones with EXPIRETIME: each is exact on both servers.
      const probe = command.endsWith("AT") ? ["EXPIRETIME", "k"] : ["TTL", "k"];
      add(`${command} ${flag.join(" ")} on a ${state}`, ...setup, [command, "k", EXPIRE_VALUE[command]!, ...flag], probe, [
        "EXISTS",
        "k",
      ]);
    }
  }
  add(`${command} with NX and XX together`, ["SET", "k", "v"], [command, "k", EXPIRE_VALUE[command]!, "NX", "XX"]);
  add(`${command} with GT and LT together`, ["SET", "k", "v"], [command, "k", EXPIRE_VALUE[command]!, "GT", "LT"]);
  add(`${command} with an unknown flag`, ["SET", "k", "v"], [command, "k", EXPIRE_VALUE[command]!, "ZZ"]);
  add(`${command} with a non-integer`, ["SET", "k", "v"], [command, "k", "1.5"]);
}
add("EXPIRE with a negative time deletes the key", ["SET", "k", "v"], ["EXPIRE", "k", "-1"], ["EXISTS", "k"]);
add(
  "PERSIST, TTL and PTTL of missing and persistent keys",
  ["SET", "k", "v", "EX", "100"],
  ["PERSIST", "k"],
  ["TTL", "k"],
  ["PERSIST", "k"],
  ["TTL", "nope"],
  ["PTTL", "nope"],
  ["EXPIRETIME", "nope"],
  ["EXPIRETIME", "k"],
);
add(
  "SET keeps or clears the TTL",
  ["SET", "k", "v", "EX", "100"],
  ["SET", "k", "w", "KEEPTTL"],
  ["TTL", "k"],
  ["SET", "k", "x"],
  ["TTL", "k"],
);
add(
  "SET EXAT and PXAT",
  ["SET", "a", "v", "EXAT", String(NOW_S + 500)],
  ["EXPIRETIME", "a"],
  ["SET", "b", "v", "PXAT", String((NOW_S + 500) * 1000)],
  ["PEXPIRETIME", "b"],
);

// ── SET / GET family ──────────────────────────────────────────────────────
const SET_OPTIONS = [
  [],
  ["NX"],
  ["XX"],
  ["GET"],
  ["NX", "GET"],
  ["XX", "GET"],
  ["nx"],
  ["get"],
  ["EX", "100"],
  ["PX", "100000", "GET"],
  ["EX", "0"],
  ["EX", "abc"],
  ["NX", "XX"],
  ["EX", "10", "PX", "10"],
  ["KEEPTTL", "EX", "10"],
];
for (const options of SET_OPTIONS) {
  add(`SET ${options.join(" ")} on a missing key`, ["SET", "k", "v", ...options], ["GET", "k"]);
  add(`SET ${options.join(" ")} on a string`, ["SET", "k", "old"], ["SET", "k", "v", ...options], ["GET", "k"]);
}
add(
  "SET GET on a list is WRONGTYPE and keeps the list",
  ["RPUSH", "k", "a"],
  ["SET", "k", "v", "GET"],
  ["TYPE", "k"],
  ["LRANGE", "k", "0", "-1"],
);
add("SET NX GET on a list is WRONGTYPE", ["RPUSH", "k", "a"], ["SET", "k", "v", "NX", "GET"]);
add("SET on a list without GET replaces it", ["RPUSH", "k", "a"], ["SET", "k", "v"], ["TYPE", "k"]);
add(
  "GETSET and GETDEL",
  ["SET", "k", "a"],
  ["GETSET", "k", "b"],
  ["GETDEL", "k"],
  ["GETDEL", "k"],
  ["GETSET", "n", "x"],
  ["RPUSH", "l", "a"],
  ["GETDEL", "l"],
);
for (const [label, options] of Object.entries({
  EX: ["EX", "100"],
  PX: ["PX", "100000"],
  "EXAT in the past": ["EXAT", String(NOW_S - 10)],
  "PXAT in the past": ["PXAT", String((NOW_S - 10) * 1000)],
  "EXAT in the future": ["EXAT", String(NOW_S + 100)],
  PERSIST: ["PERSIST"],
  "no option": [],
  "EX 0": ["EX", "0"],
  "EX and PX": ["EX", "1", "PX", "1"],
  "lowercase ex": ["ex", "100"],
})) {
  const probe = label.includes("EXAT") ? ["EXPIRETIME", "k"] : ["TTL", "k"];
  add(`GETEX ${label}`, ["SET", "k", "v", "EX", "200"], ["GETEX", "k", ...options], ["EXISTS", "k"], probe);
}
add("GETEX on a missing key and on a list", ["GETEX", "nope", "EX", "10"], ["RPUSH", "l", "a"], ["GETEX", "l"]);
add(
  "MSET, MGET, MSETNX",
  ["MSET", "a", "1", "b", "2"],
  ["MGET", "a", "b", "c"],
  ["MSETNX", "c", "3", "a", "9"],
  ["MSETNX", "c", "3", "d", "4"],
  ["MGET", "a", "c", "d"],
);
add(
  "SETNX, SETEX, PSETEX",
  ["SETNX", "k", "a"],
  ["SETNX", "k", "b"],
  ["SETEX", "e", "100", "v"],
  ["TTL", "e"],
  ["PSETEX", "p", "100000", "v"],
  ["TTL", "p"],
  ["SETEX", "e", "0", "v"],
);

// ── UTF-8 byte lengths and byte offsets ───────────────────────────────────
for (const value of ["héllo", "日本語", "emoji 🎉", "plain", ""]) {
  add(`STRLEN of ${JSON.stringify(value)}`, ["SET", "k", value], ["STRLEN", "k"]);
  add(`APPEND to ${JSON.stringify(value)}`, ["SET", "k", value], ["APPEND", "k", "é"], ["STRLEN", "k"], ["GET", "k"]);
  add(
    `GETRANGE of ${JSON.stringify(value)}`,
    ["SET", "k", value],
    ["GETRANGE", "k", "0", "0"],
    ["GETRANGE", "k", "-3", "-1"],
    ["GETRANGE", "k", "0", "-1"],
    ["GETRANGE", "k", "5", "2"],
  );
  add(`SETRANGE over ${JSON.stringify(value)}`, ["SET", "k", value], ["SETRANGE", "k", "1", "ab"], ["GET", "k"], ["STRLEN", "k"]);
  add(`HSTRLEN of ${JSON.stringify(value)}`, ["HSET", "h", "f", value], ["HSTRLEN", "h", "f"]);
}
add("GETRANGE on a missing key", ["GETRANGE", "nope", "0", "10"]);
add(
  "GETRANGE out of range",
  ["SET", "k", "hello"],
  ["GETRANGE", "k", "10", "20"],
  ["GETRANGE", "k", "-100", "2"],
  ["GETRANGE", "k", "0", "100"],
);
add("SETRANGE pads with zero bytes", ["SETRANGE", "k", "3", "x"], ["STRLEN", "k"], ["GETRANGE", "k", "3", "3"]);
add("SETRANGE with an empty value on a missing key", ["SETRANGE", "k", "5", ""], ["EXISTS", "k"]);
add("APPEND to a missing key, STRLEN of missing", ["APPEND", "k", "ab"], ["STRLEN", "nope"]);
add(
  "string commands on a hash are WRONGTYPE",
  ["HSET", "h", "f", "v"],
  ["STRLEN", "h"],
  ["APPEND", "h", "x"],
  ["GETRANGE", "h", "0", "1"],
  ["SETRANGE", "h", "0", "x"],
  ["GET", "h"],
);

// ── counters ──────────────────────────────────────────────────────────────
for (const [label, start] of Object.entries({
  missing: null,
  "10": "10",
  "-5": "-5",
  text: "abc",
  float: "1.5",
  spaces: " 1",
  big: "9223372036854775807",
  small: "-9223372036854775808",
})) {
  const setup = start === null ? [] : [["SET", "c", start]];
  // At the int64 bounds only the overflow errors are compared: a JSON number cannot carry 19 exact digits.
  if (label === "big") add("INCR past the int64 maximum", ...setup, ["INCR", "c"], ["INCRBY", "c", "1"], ["GET", "c"]);
  else if (label === "small")
    add("DECR past the int64 minimum", ...setup, ["DECR", "c"], ["DECRBY", "c", "1"], ["INCRBY", "c", "-1"], ["GET", "c"]);
  else
    add(
      `INCR/DECR family on ${label}`,
      ...setup,
      ["INCR", "c"],
      ["DECRBY", "c", "3"],
      ["INCRBY", "c", "-2"],
      ["DECR", "c"],
      ["GET", "c"],
    );
  // Beyond 2^53 INCRBYFLOAT needs Redis's 80-bit long doubles (a documented gap).
  if (!["big", "small"].includes(label)) add(`INCRBYFLOAT on ${label}`, ...setup, ["INCRBYFLOAT", "c", "0.1"], ["GET", "c"]);
}
add(
  "DECRBY the int64 minimum overflows",
  ["SET", "c", "1"],
  ["DECRBY", "c", "-9223372036854775808"],
  ["INCRBY", "c", "abc"],
  ["INCRBY", "c", "1.5"],
);
add(
  "INCRBYFLOAT formatting",
  ["INCRBYFLOAT", "a", "10.50"],
  ["INCRBYFLOAT", "b", "5.0e3"],
  ["INCRBYFLOAT", "c", "-0.5"],
  ["INCRBYFLOAT", "a", "abc"],
);

// ── bits ──────────────────────────────────────────────────────────────────
for (const range of [
  [],
  ["0", "0"],
  ["1", "1"],
  ["0", "-1"],
  ["0", "0", "BYTE"],
  ["1", "5", "BIT"],
  ["5", "30", "BIT"],
  ["-1", "-1", "bit"],
  ["0", "100", "BYTE"],
]) {
  add(`BITCOUNT ${range.join(" ")}`, ["SET", "k", "foobar"], ["BITCOUNT", "k", ...range]);
}
add("BITCOUNT on a missing key", ["BITCOUNT", "nope"], ["BITCOUNT", "nope", "0", "1", "BIT"]);
add(
  "SETBIT and GETBIT",
  ["SETBIT", "b", "7", "1"],
  ["SETBIT", "b", "7", "0"],
  ["SETBIT", "b", "100", "1"],
  ["GETBIT", "b", "100"],
  ["GETBIT", "b", "1000"],
  ["STRLEN", "b"],
  ["BITCOUNT", "b"],
);
for (const args of [
  ["1"],
  ["0"],
  ["1", "2"],
  ["0", "1", "-1"],
  ["1", "0", "-1", "BIT"],
  ["1", "7", "15", "BIT"],
  ["0", "0", "1", "BYTE"],
]) {
  add(`BITPOS ${args.join(" ")}`, ["SET", "k", "\u0000\u00ff\u00f0"], ["BITPOS", "k", ...args]);
}
add(
  "BITPOS on missing keys and all-ones",
  ["BITPOS", "nope", "0"],
  ["BITPOS", "nope", "1"],
  ["SET", "ones", "\u007f"],
  ["BITPOS", "ones", "0"],
);
for (const op of ["AND", "OR", "XOR"]) {
  add(
    `BITOP ${op}`,
    ["SET", "a", "foobar"],
    ["SET", "b", "abc"],
    ["BITOP", op, "dest", "a", "b"],
    ["GET", "dest"],
    ["STRLEN", "dest"],
    ["BITOP", op, "d2", "a", "missing"],
    ["STRLEN", "d2"],
  );
}
add(
  "BITOP NOT and errors",
  ["SET", "a", "abc"],
  ["BITOP", "NOT", "dest", "a"],
  ["STRLEN", "dest"],
  ["BITCOUNT", "dest"],
  ["BITOP", "NOT", "dest", "a", "a"],
  ["BITOP", "NAND", "dest", "a"],
);
add(
  "BITOP on missing sources deletes the destination",
  ["SET", "dest", "x"],
  ["BITOP", "OR", "dest", "m1", "m2"],
  ["EXISTS", "dest"],
);
add("BITFIELD SET, GET and INCRBY", [
  "BITFIELD",
  "bf",
  "SET",
  "u8",
  "0",
  "255",
  "GET",
  "u8",
  "0",
  "INCRBY",
  "u8",
  "0",
  "10",
  "GET",
  "i4",
  "4",
]);
add("BITFIELD OVERFLOW modes", [
  "BITFIELD",
  "bf",
  "SET",
  "u4",
  "0",
  "15",
  "OVERFLOW",
  "SAT",
  "INCRBY",
  "u4",
  "0",
  "5",
  "OVERFLOW",
  "FAIL",
  "INCRBY",
  "u4",
  "0",
  "5",
  "OVERFLOW",
  "WRAP",
  "INCRBY",
  "u4",
  "0",
  "5",
]);
add("BITFIELD with # offsets and signed types", [
  "BITFIELD",
  "bf",
  "SET",
  "i8",
  "#1",
  "-5",
  "GET",
  "i8",
  "#1",
  "GET",
  "u16",
  "0",
]);
add("BITFIELD_RO", ["SET", "k", "abc"], ["BITFIELD_RO", "k", "GET", "u8", "0", "GET", "u8", "8"]);

// ── LCS ───────────────────────────────────────────────────────────────────
add(
  "LCS string, LEN",
  ["MSET", "a", "ohmytext", "b", "mynewtext"],
  ["LCS", "a", "b"],
  ["LCS", "a", "b", "LEN"],
  ["LCS", "a", "missing"],
);
add(
  "LCS IDX",
  ["MSET", "a", "ohmytext", "b", "mynewtext"],
  ["LCS", "a", "b", "IDX"],
  ["LCS", "a", "b", "IDX", "MINMATCHLEN", "4"],
  ["LCS", "a", "b", "IDX", "WITHMATCHLEN"],
);

// ── keys ──────────────────────────────────────────────────────────────────
add(
  "TYPE of every kind",
  ["SET", "s", "v"],
  ["RPUSH", "l", "a"],
  ["SADD", "st", "a"],
  ["ZADD", "z", "1", "a"],
  ["HSET", "h", "f", "v"],
  ["XADD", "x", "1-1", "f", "v"],
  ["TYPE", "s"],
  ["TYPE", "l"],
  ["TYPE", "st"],
  ["TYPE", "z"],
  ["TYPE", "h"],
  ["TYPE", "x"],
  ["TYPE", "nope"],
);
add(
  "COPY",
  ["SET", "a", "1"],
  ["COPY", "a", "b"],
  ["GET", "b"],
  ["SET", "c", "x"],
  ["COPY", "a", "c"],
  ["GET", "c"],
  ["COPY", "a", "c", "REPLACE"],
  ["GET", "c"],
  ["COPY", "nope", "d"],
);
add(
  "COPY keeps the TTL and copies deep",
  ["RPUSH", "l", "a"],
  ["EXPIRE", "l", "100"],
  ["COPY", "l", "m"],
  ["TTL", "m"],
  ["RPUSH", "m", "b"],
  ["LRANGE", "l", "0", "-1"],
  ["LRANGE", "m", "0", "-1"],
);
add(
  "COPY of a sorted set, hash and set",
  ["ZADD", "z", "1", "a"],
  ["HSET", "h", "f", "v"],
  ["SADD", "s", "m"],
  ["COPY", "z", "z2"],
  ["COPY", "h", "h2"],
  ["COPY", "s", "s2"],
  ["ZADD", "z2", "2", "b"],
  ["ZCARD", "z"],
  ["HGETALL", "h2"],
  ["SMEMBERS", "s2"],
);
add("COPY onto itself and with DB", ["SET", "a", "1"], ["COPY", "a", "a"], ["COPY", "a", "b", "DB", "0"]);
add("TOUCH", ["MSET", "a", "1", "b", "2"], ["TOUCH", "a", "b", "c"], ["TOUCH", "nope"]);
add(
  "EXISTS counts repeats, DEL and UNLINK",
  ["SET", "a", "1"],
  ["EXISTS", "a", "a", "b"],
  ["DEL", "a", "b"],
  ["SET", "c", "1"],
  ["UNLINK", "c", "d"],
);
add(
  "RENAME and RENAMENX",
  ["SET", "a", "1"],
  ["RENAME", "a", "b"],
  ["GET", "b"],
  ["RENAME", "nope", "c"],
  ["SET", "c", "2"],
  ["RENAMENX", "b", "c"],
  ["RENAMENX", "b", "d"],
  ["GET", "d"],
);
add("RENAME keeps the TTL", ["SET", "a", "1", "EX", "100"], ["RENAME", "a", "b"], ["TTL", "b"]);
add(
  "KEYS with patterns",
  ["MSET", "user:1", "a", "user:2", "b", "other", "c", "u[x]", "d"],
  ["KEYS", "user:*"],
  ["KEYS", "*"],
  ["KEYS", "user:?"],
  ["KEYS", "u\\[x\\]"],
  ["KEYS", "nomatch*"],
);
add("DBSIZE", ["MSET", "a", "1", "b", "2"], ["DBSIZE"]);
for (const options of [
  [],
  ["MATCH", "a*"],
  ["match", "b*"],
  ["TYPE", "string"],
  ["TYPE", "list"],
  ["type", "zset"],
  ["TYPE", "stream"],
  ["MATCH", "a*", "TYPE", "hash"],
  ["TYPE", "nosuchtype"],
]) {
  add(
    `SCAN ${options.join(" ")}`,
    ["MSET", "a1", "1", "b1", "2"],
    ["RPUSH", "al", "x"],
    ["ZADD", "az", "1", "m"],
    ["HSET", "ah", "f", "v"],
    ["XADD", "ax", "1-1", "f", "v"],
    ["SCAN", "0", "COUNT", "1000", ...options],
  );
}

// ── lists ─────────────────────────────────────────────────────────────────
for (const from of ["LEFT", "RIGHT", "left", "right"]) {
  for (const to of ["LEFT", "right"]) {
    add(
      `LMOVE ${from} ${to}`,
      ["RPUSH", "src", "a", "b", "c"],
      ["RPUSH", "dst", "x"],
      ["LMOVE", "src", "dst", from, to],
      ["LRANGE", "src", "0", "-1"],
      ["LRANGE", "dst", "0", "-1"],
    );
  }
}
add(
  "LMOVE onto the same list rotates it",
  ["RPUSH", "l", "a", "b", "c"],
  ["LMOVE", "l", "l", "LEFT", "RIGHT"],
  ["LRANGE", "l", "0", "-1"],
);
add(
  "LMOVE from a missing list and with a bad direction",
  ["LMOVE", "nope", "dst", "LEFT", "LEFT"],
  ["EXISTS", "dst"],
  ["RPUSH", "l", "a"],
  ["LMOVE", "l", "dst", "UP", "LEFT"],
);
add(
  "LMOVE to a string is WRONGTYPE",
  ["RPUSH", "l", "a"],
  ["SET", "s", "x"],
  ["LMOVE", "l", "s", "LEFT", "LEFT"],
  ["LRANGE", "l", "0", "-1"],
);
for (const command of ["LPUSHX", "RPUSHX"]) {
  add(`${command} with several values`, ["RPUSH", "l", "x"], [command, "l", "a", "b", "c"], ["LRANGE", "l", "0", "-1"]);
  add(`${command} on a missing list`, [command, "l", "a", "b"], ["EXISTS", "l"]);
  add(`${command} on a string`, ["SET", "l", "a"], [command, "l", "a"]);
}
for (const index of ["0", "2", "-1", "-3", "3", "-4", "abc"]) {
  add(`LSET at ${index}`, ["RPUSH", "l", "a", "b", "c"], ["LSET", "l", index, "z"], ["LRANGE", "l", "0", "-1"]);
}
add("LSET on a missing key", ["LSET", "nope", "0", "z"]);
for (const args of [
  ["b"],
  ["b", "RANK", "2"],
  ["b", "RANK", "-1"],
  ["b", "COUNT", "0"],
  ["b", "COUNT", "2"],
  ["b", "MAXLEN", "2"],
  ["z"],
  ["b", "RANK", "0"],
  ["b", "rank", "1", "count", "1"],
]) {
  add(`LPOS ${args.join(" ")}`, ["RPUSH", "l", "a", "b", "c", "b", "b"], ["LPOS", "l", ...args]);
}
for (const count of ["0", "1", "-1", "2", "-2", "10"]) {
  add(`LREM count ${count}`, ["RPUSH", "l", "a", "b", "a", "c", "a"], ["LREM", "l", count, "a"], ["LRANGE", "l", "0", "-1"]);
}
add(
  "LINSERT before, after, missing pivot",
  ["RPUSH", "l", "a", "c"],
  ["LINSERT", "l", "BEFORE", "c", "b"],
  ["LINSERT", "l", "after", "c", "d"],
  ["LINSERT", "l", "BEFORE", "zz", "x"],
  ["LINSERT", "nope", "BEFORE", "a", "b"],
  ["LRANGE", "l", "0", "-1"],
);
for (const [start, stop] of [
  ["0", "-1"],
  ["1", "2"],
  ["-2", "-1"],
  ["5", "10"],
  ["2", "1"],
  ["-100", "100"],
]) {
  add(
    `LRANGE ${start} ${stop} and LTRIM`,
    ["RPUSH", "l", "a", "b", "c", "d"],
    ["LRANGE", "l", start!, stop!],
    ["LTRIM", "l", start!, stop!],
    ["LRANGE", "l", "0", "-1"],
    ["EXISTS", "l"],
  );
}
add(
  "LPOP/RPOP with counts",
  ["RPUSH", "l", "a", "b", "c"],
  ["LPOP", "l", "2"],
  ["RPOP", "l", "5"],
  ["LPOP", "l"],
  ["LPOP", "l", "0"],
  ["EXISTS", "l"],
);
add(
  "LINDEX and LLEN",
  ["RPUSH", "l", "a", "b"],
  ["LINDEX", "l", "1"],
  ["LINDEX", "l", "-1"],
  ["LINDEX", "l", "5"],
  ["LLEN", "l"],
  ["LLEN", "nope"],
);
add(
  "RPOPLPUSH",
  ["RPUSH", "a", "1", "2"],
  ["RPOPLPUSH", "a", "b"],
  ["RPOPLPUSH", "a", "a"],
  ["LRANGE", "a", "0", "-1"],
  ["LRANGE", "b", "0", "-1"],
);
add(
  "LMPOP",
  ["RPUSH", "b", "1", "2", "3"],
  ["LMPOP", "2", "a", "b", "LEFT", "COUNT", "2"],
  ["LMPOP", "1", "a", "RIGHT"],
  ["LMPOP", "1", "b", "right"],
);

// ── hashes ────────────────────────────────────────────────────────────────
add(
  "HSET, HGET, HMGET, HDEL, HLEN",
  ["HSET", "h", "a", "1", "b", "2"],
  ["HSET", "h", "a", "3"],
  ["HGET", "h", "a"],
  ["HMGET", "h", "a", "x"],
  ["HDEL", "h", "a", "x"],
  ["HLEN", "h"],
  ["HDEL", "h", "b"],
  ["EXISTS", "h"],
);
add(
  "HGETALL, HKEYS, HVALS",
  ["HSET", "h", "b", "2", "a", "1", "10", "x"],
  ["HGETALL", "h"],
  ["HKEYS", "h"],
  ["HVALS", "h"],
  ["HGETALL", "nope"],
);
add(
  "HSETNX, HEXISTS",
  ["HSETNX", "h", "a", "1"],
  ["HSETNX", "h", "a", "2"],
  ["HGET", "h", "a"],
  ["HEXISTS", "h", "a"],
  ["HEXISTS", "h", "b"],
);
add(
  "HINCRBY and HINCRBYFLOAT",
  ["HINCRBY", "h", "a", "5"],
  ["HINCRBY", "h", "a", "-7"],
  ["HINCRBYFLOAT", "h", "b", "1.5"],
  ["HINCRBYFLOAT", "h", "b", "2.5"],
  ["HSET", "h", "t", "x"],
  ["HINCRBY", "h", "t", "1"],
  ["HINCRBYFLOAT", "h", "t", "1"],
);
add(
  "HRANDFIELD with a count covering the hash",
  ["HSET", "h", "a", "1", "b", "2"],
  ["HRANDFIELD", "h", "5"],
  ["HRANDFIELD", "h", "5", "WITHVALUES"],
  ["HRANDFIELD", "nope"],
  ["HRANDFIELD", "h", "0"],
);
for (const options of [[], ["MATCH", "a*"], ["match", "b*"], ["MATCH", "zz*"], ["COUNT", "1000"], ["MATCH", "*1"]]) {
  add(`HSCAN ${options.join(" ")}`, ["HSET", "h", "a1", "x", "a2", "y", "b1", "z"], ["HSCAN", "h", "0", ...options]);
  add(`SSCAN ${options.join(" ")}`, ["SADD", "s", "a1", "a2", "b1"], ["SSCAN", "s", "0", ...options]);
  add(`ZSCAN ${options.join(" ")}`, ["ZADD", "z", "1", "a1", "2", "a2", "3", "b1"], ["ZSCAN", "z", "0", ...options]);
}
add("HSCAN on a missing key", ["HSCAN", "nope", "0"], ["ZSCAN", "nope", "0"], ["SSCAN", "nope", "0"]);

// ── sets ──────────────────────────────────────────────────────────────────
add(
  "SADD, SREM, SCARD, SISMEMBER, SMISMEMBER",
  ["SADD", "s", "a", "b", "a"],
  ["SREM", "s", "a", "z"],
  ["SCARD", "s"],
  ["SISMEMBER", "s", "b"],
  ["SMISMEMBER", "s", "a", "b"],
  ["SREM", "s", "b"],
  ["EXISTS", "s"],
);
add(
  "SINTER, SUNION, SDIFF and their STORE forms",
  ["SADD", "a", "1", "2", "3"],
  ["SADD", "b", "2", "3", "4"],
  ["SINTER", "a", "b"],
  ["SUNION", "a", "b"],
  ["SDIFF", "a", "b"],
  ["SINTERSTORE", "c", "a", "b"],
  ["SUNIONSTORE", "d", "a", "b"],
  ["SDIFFSTORE", "e", "a", "b"],
  ["SMEMBERS", "c"],
  ["SMEMBERS", "e"],
  ["SINTER", "a", "missing"],
);
for (const args of [
  ["2", "a", "b"],
  ["2", "a", "b", "LIMIT", "1"],
  ["2", "a", "b", "limit", "0"],
  ["1", "a"],
  ["2", "a", "missing"],
  ["3", "a", "b"],
  ["0", "a"],
  ["2", "a", "b", "LIMIT", "-1"],
]) {
  add(`SINTERCARD ${args.join(" ")}`, ["SADD", "a", "1", "2", "3"], ["SADD", "b", "2", "3", "4"], ["SINTERCARD", ...args]);
}
add(
  "SMOVE",
  ["SADD", "a", "x", "y"],
  ["SMOVE", "a", "b", "x"],
  ["SMOVE", "a", "b", "zz"],
  ["SMEMBERS", "b"],
  ["SMOVE", "a", "b", "y"],
  ["EXISTS", "a"],
);
add(
  "SRANDMEMBER and SPOP with a count covering the set",
  ["SADD", "s", "a", "b"],
  ["SRANDMEMBER", "s", "5"],
  ["SPOP", "s", "5"],
  ["EXISTS", "s"],
  ["SPOP", "nope"],
);

// ── sorted sets ───────────────────────────────────────────────────────────
const ZADD_FLAGS = [
  [],
  ["NX"],
  ["XX"],
  ["GT"],
  ["LT"],
  ["CH"],
  ["GT", "CH"],
  ["LT", "CH"],
  ["NX", "CH"],
  ["XX", "CH"],
  ["INCR"],
  ["XX", "INCR"],
  ["NX", "INCR"],
  ["GT", "INCR"],
  ["LT", "INCR"],
  ["gt", "ch"],
  ["NX", "GT"],
  ["NX", "XX"],
];
for (const flags of ZADD_FLAGS) {
  add(
    `ZADD ${flags.join(" ")} raising a member`,
    ["ZADD", "z", "5", "a"],
    ["ZADD", "z", ...flags, "7", "a"],
    ["ZRANGE", "z", "0", "-1", "WITHSCORES"],
  );
  add(
    `ZADD ${flags.join(" ")} lowering a member`,
    ["ZADD", "z", "5", "a"],
    ["ZADD", "z", ...flags, "3", "a"],
    ["ZRANGE", "z", "0", "-1", "WITHSCORES"],
  );
  add(
    `ZADD ${flags.join(" ")} adding a member`,
    ["ZADD", "z", "5", "a"],
    ["ZADD", "z", ...flags, "1", "b"],
    ["ZRANGE", "z", "0", "-1", "WITHSCORES"],
  );
}
add("ZADD INCR with two pairs is an error", ["ZADD", "z", "INCR", "1", "a", "2", "b"]);
add("ZADD with a bad score", ["ZADD", "z", "abc", "a"], ["ZADD", "z", "1", "a", "2"], ["ZADD", "z", "nan", "a"]);
add(
  "ZADD with inf scores",
  ["ZADD", "z", "inf", "a", "-inf", "b", "+inf", "c"],
  ["ZRANGE", "z", "0", "-1", "WITHSCORES"],
  ["ZSCORE", "z", "a"],
);
add(
  "ZADD INCR on a missing member and a missing key",
  ["ZADD", "z", "INCR", "2.5", "a"],
  ["ZADD", "z", "XX", "INCR", "1", "b"],
  ["ZSCORE", "z", "a"],
);
add(
  "score formatting",
  ["ZADD", "z", "0.1", "a", "1e3", "b", "-0", "c", "3.0", "d", "1.23456789012345678", "e"],
  ["ZRANGE", "z", "0", "-1", "WITHSCORES"],
  ["ZINCRBY", "z", "0.2", "a"],
  ["ZMSCORE", "z", "a", "zz"],
);
for (const command of ["ZPOPMIN", "ZPOPMAX"]) {
  for (const count of [[], ["2"], ["10"], ["0"], ["-1"]]) {
    add(`${command} ${count.join(" ")}`, ["ZADD", "z", "1", "a", "2.5", "b", "3", "c"], [command, "z", ...count], ["ZCARD", "z"]);
  }
  add(`${command} on a missing key`, [command, "nope"], [command, "nope", "2"]);
}
add("ZMPOP", ["ZADD", "z", "1", "a", "2", "b"], ["ZMPOP", "2", "nope", "z", "MIN", "COUNT", "5"], ["ZMPOP", "1", "z", "MAX"]);
const ZSET_SETUP = [
  ["ZADD", "a", "1", "x", "2", "y", "3", "z"],
  ["ZADD", "b", "10", "y", "20", "z", "30", "w"],
  ["SADD", "s", "x", "w"],
];
for (const options of [
  [],
  ["WEIGHTS", "2", "3"],
  ["AGGREGATE", "MIN"],
  ["AGGREGATE", "MAX"],
  ["AGGREGATE", "SUM"],
  ["WEIGHTS", "2", "3", "AGGREGATE", "MAX"],
  ["weights", "1", "0.5", "aggregate", "min"],
  ["WEIGHTS", "2"],
  ["AGGREGATE", "AVG"],
]) {
  for (const command of ["ZUNIONSTORE", "ZINTERSTORE"]) {
    add(
      `${command} ${options.join(" ")}`,
      ...ZSET_SETUP,
      [command, "out", "2", "a", "b", ...options],
      ["ZRANGE", "out", "0", "-1", "WITHSCORES"],
    );
  }
  for (const command of ["ZUNION", "ZINTER"]) {
    add(
      `${command} ${options.join(" ")}`,
      ...ZSET_SETUP,
      [command, "2", "a", "b", ...options, "WITHSCORES"],
      [command, "2", "a", "b", ...options],
    );
  }
}
add(
  "ZUNIONSTORE and ZINTERSTORE take plain sets as score 1",
  ...ZSET_SETUP,
  ["ZUNIONSTORE", "out", "2", "a", "s"],
  ["ZRANGE", "out", "0", "-1", "WITHSCORES"],
  ["ZINTERSTORE", "o2", "2", "s", "b"],
  ["ZRANGE", "o2", "0", "-1", "WITHSCORES"],
);
add(
  "ZINTERSTORE with an empty result deletes the destination",
  ...ZSET_SETUP,
  ["SET", "out", "x"],
  ["ZINTERSTORE", "out", "2", "a", "missing"],
  ["EXISTS", "out"],
);
add("ZUNIONSTORE with a string input is WRONGTYPE", ["SET", "str", "x"], ["ZUNIONSTORE", "out", "1", "str"]);
add("ZUNIONSTORE with numkeys 0 or too many", ["ZUNIONSTORE", "out", "0", "a"], ["ZUNIONSTORE", "out", "3", "a"]);
add(
  "ZDIFF and ZDIFFSTORE",
  ...ZSET_SETUP,
  ["ZDIFF", "2", "a", "b"],
  ["ZDIFF", "2", "a", "b", "WITHSCORES"],
  ["ZDIFFSTORE", "out", "2", "a", "b"],
  ["ZRANGE", "out", "0", "-1", "WITHSCORES"],
  ["ZDIFFSTORE", "out", "2", "missing", "a"],
  ["EXISTS", "out"],
  ["ZDIFF", "1", "missing"],
);
add("ZINTERCARD", ...ZSET_SETUP, ["ZINTERCARD", "2", "a", "b"], ["ZINTERCARD", "2", "a", "b", "LIMIT", "1"]);
add(
  "ZRANDMEMBER covering the set",
  ["ZADD", "z", "1", "a", "2", "b"],
  ["ZRANDMEMBER", "z", "5"],
  ["ZRANDMEMBER", "z", "5", "WITHSCORES"],
  ["ZRANDMEMBER", "nope"],
  ["ZRANDMEMBER", "nope", "3"],
  ["ZRANDMEMBER", "z", "0"],
);
add(
  "ZRANDMEMBER of one member",
  ["ZADD", "z", "1", "a"],
  ["ZRANDMEMBER", "z"],
  ["ZRANDMEMBER", "z", "-3"],
  ["ZRANDMEMBER", "z", "-2", "WITHSCORES"],
);
const LEX_SETUP = ["ZADD", "l", "0", "a", "0", "b", "0", "c", "0", "d", "0", "e"];
for (const [min, max] of [
  ["-", "+"],
  ["[b", "[d"],
  ["(b", "(d"],
  ["[b", "(d"],
  ["(a", "+"],
  ["-", "[c"],
  ["[z", "+"],
  ["[d", "[b"],
  ["b", "d"],
]) {
  add(`ZLEXCOUNT ${min} ${max}`, LEX_SETUP, ["ZLEXCOUNT", "l", min!, max!], ["ZRANGEBYLEX", "l", min!, max!]);
  add(`ZREMRANGEBYLEX ${min} ${max}`, LEX_SETUP, ["ZREMRANGEBYLEX", "l", min!, max!], ["ZRANGE", "l", "0", "-1"]);
}
add(
  "ZREVRANGEBYLEX and LIMIT",
  LEX_SETUP,
  ["ZREVRANGEBYLEX", "l", "+", "-"],
  ["ZRANGEBYLEX", "l", "-", "+", "LIMIT", "1", "2"],
  ["ZREVRANGEBYLEX", "l", "[d", "[b", "LIMIT", "0", "1"],
);
const SCORE_SETUP = ["ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d"];
for (const [min, max] of [
  ["-inf", "+inf"],
  ["2", "3"],
  ["(2", "3"],
  ["(1", "(4"],
  ["5", "10"],
  ["3", "2"],
  ["abc", "3"],
]) {
  add(
    `ZRANGEBYSCORE ${min} ${max}`,
    SCORE_SETUP,
    ["ZRANGEBYSCORE", "z", min!, max!],
    ["ZRANGEBYSCORE", "z", min!, max!, "WITHSCORES", "LIMIT", "1", "1"],
    ["ZCOUNT", "z", min!, max!],
    ["ZREVRANGEBYSCORE", "z", max!, min!],
  );
}
for (const options of [
  ["0", "-1"],
  ["1", "2", "REV"],
  ["(1", "3", "BYSCORE"],
  ["3", "1", "BYSCORE", "REV"],
  ["[b", "[c", "BYLEX"],
  ["0", "-1", "WITHSCORES"],
  ["-inf", "+inf", "BYSCORE", "LIMIT", "1", "2"],
  ["0", "-1", "LIMIT", "0", "1"],
  ["(1", "3", "byscore", "withscores"],
]) {
  add(`ZRANGE ${options.join(" ")}`, SCORE_SETUP, ["ZRANGE", "z", ...options]);
}
add(
  "ZRANGESTORE",
  SCORE_SETUP,
  ["ZRANGESTORE", "dst", "z", "1", "2"],
  ["ZRANGE", "dst", "0", "-1", "WITHSCORES"],
  ["ZRANGESTORE", "dst", "z", "10", "20"],
  ["EXISTS", "dst"],
);
add(
  "ZRANK, ZREVRANK, ZSCORE, ZINCRBY, ZREM, ZCARD",
  SCORE_SETUP,
  ["ZRANK", "z", "c"],
  ["ZREVRANK", "z", "c"],
  ["ZRANK", "z", "zz"],
  ["ZINCRBY", "z", "10", "a"],
  ["ZREM", "z", "b", "zz"],
  ["ZCARD", "z"],
  ["ZSCORE", "z", "a"],
  ["ZSCORE", "z", "zz"],
);
add(
  "ZREMRANGEBYRANK and ZREMRANGEBYSCORE",
  SCORE_SETUP,
  ["ZREMRANGEBYRANK", "z", "0", "0"],
  ["ZREMRANGEBYSCORE", "z", "(2", "3"],
  ["ZRANGE", "z", "0", "-1"],
  ["ZREMRANGEBYRANK", "z", "0", "-1"],
  ["EXISTS", "z"],
);
add(
  "ZSET commands on a string are WRONGTYPE",
  ["SET", "s", "x"],
  ["ZADD", "s", "1", "a"],
  ["ZRANGE", "s", "0", "-1"],
  ["ZCARD", "s"],
  ["ZLEXCOUNT", "s", "-", "+"],
  ["ZRANDMEMBER", "s"],
);

// ── streams ───────────────────────────────────────────────────────────────
add(
  "XADD explicit ids",
  ["XADD", "x", "5-1", "f", "v"],
  ["XADD", "x", "5-2", "f", "v"],
  ["XADD", "x", "6", "f", "v"],
  ["XRANGE", "x", "-", "+"],
);
add(
  "XADD with a sequence wildcard",
  ["XADD", "x", "5-*", "f", "v"],
  ["XADD", "x", "5-*", "f", "v"],
  ["XADD", "x", "7-*", "f", "v"],
  ["XLEN", "x"],
  ["XRANGE", "x", "-", "+"],
);
add(
  "XADD with a smaller or zero id is an error",
  ["XADD", "x", "5-1", "f", "v"],
  ["XADD", "x", "5-1", "f", "v"],
  ["XADD", "x", "4-9", "f", "v"],
  ["XADD", "y", "0-0", "f", "v"],
  ["XADD", "y", "abc", "f", "v"],
);
add(
  "XADD NOMKSTREAM on a missing stream",
  ["XADD", "x", "NOMKSTREAM", "1-1", "f", "v"],
  ["EXISTS", "x"],
  ["XADD", "y", "1-1", "f", "v"],
  ["XADD", "y", "NOMKSTREAM", "2-1", "f", "v"],
);
add(
  "XADD MAXLEN",
  ["XADD", "x", "1-1", "a", "1"],
  ["XADD", "x", "2-1", "a", "2"],
  ["XADD", "x", "MAXLEN", "2", "3-1", "a", "3"],
  ["XADD", "x", "MAXLEN", "=", "1", "4-1", "a", "4"],
  ["XRANGE", "x", "-", "+"],
);
add(
  "XADD MINID",
  ["XADD", "x", "1-1", "a", "1"],
  ["XADD", "x", "2-1", "a", "2"],
  ["XADD", "x", "MINID", "=", "2-0", "3-1", "a", "3"],
  ["XADD", "x", "MINID", "3", "4-1", "a", "4"],
  ["XRANGE", "x", "-", "+"],
);
add("XADD with an odd number of field values", ["XADD", "x", "1-1", "f"], ["XADD", "x", "1-1", "f", "v", "g"]);
add("XADD * answers an id", ["XADD", "x", "*", "f", "v"], ["XLEN", "x"]);
add(
  "XRANGE and XREVRANGE bounds and COUNT",
  ["XADD", "x", "1-1", "a", "1"],
  ["XADD", "x", "2-1", "a", "2"],
  ["XADD", "x", "3-1", "a", "3"],
  ["XRANGE", "x", "2", "+"],
  ["XRANGE", "x", "(1-1", "3-0"],
  ["XRANGE", "x", "-", "+", "COUNT", "1"],
  ["XREVRANGE", "x", "+", "-", "COUNT", "2"],
  ["XREVRANGE", "x", "3", "(1-1"],
  ["XRANGE", "nope", "-", "+"],
);
add(
  "XREAD lists only streams with new entries",
  ["XADD", "x", "1-1", "a", "1"],
  ["XADD", "x", "2-1", "a", "2"],
  ["XREAD", "STREAMS", "x", "missing", "0", "0"],
  ["XREAD", "COUNT", "1", "STREAMS", "x", "1-1"],
  ["XREAD", "STREAMS", "x", "2-1"],
  ["XREAD", "STREAMS", "missing", "0"],
);
add(
  "XDEL and XLEN",
  ["XADD", "x", "1-1", "a", "1"],
  ["XADD", "x", "2-1", "a", "2"],
  ["XDEL", "x", "1-1", "9-9"],
  ["XLEN", "x"],
  ["XRANGE", "x", "-", "+"],
  ["XDEL", "nope", "1-1"],
  ["XLEN", "nope"],
);
add(
  "XTRIM MAXLEN and MINID",
  ["XADD", "x", "1-1", "a", "1"],
  ["XADD", "x", "2-1", "a", "2"],
  ["XADD", "x", "3-1", "a", "3"],
  ["XTRIM", "x", "MAXLEN", "2"],
  ["XTRIM", "x", "MINID", "3-1"],
  ["XRANGE", "x", "-", "+"],
  ["XTRIM", "nope", "MAXLEN", "1"],
);
add(
  "XGROUP CREATE, XREADGROUP, XACK, XPENDING",
  ["XADD", "x", "1-1", "a", "1"],
  ["XADD", "x", "2-1", "a", "2"],
  ["XGROUP", "CREATE", "x", "g", "0"],
  ["XGROUP", "CREATE", "x", "g", "0"],
  ["XREADGROUP", "GROUP", "g", "alice", "COUNT", "1", "STREAMS", "x", ">"],
  ["XPENDING", "x", "g"],
  ["XACK", "x", "g", "1-1", "9-9"],
  ["XPENDING", "x", "g"],
  ["XREADGROUP", "GROUP", "g", "bob", "STREAMS", "x", ">"],
  ["XREADGROUP", "GROUP", "g", "bob", "STREAMS", "x", ">"],
);
add(
  "XGROUP CREATE MKSTREAM and on a missing stream",
  ["XGROUP", "CREATE", "x", "g", "$"],
  ["XGROUP", "CREATE", "x", "g", "$", "MKSTREAM"],
  ["TYPE", "x"],
  ["XLEN", "x"],
);
add(
  "XGROUP DESTROY, CREATECONSUMER, DELCONSUMER, SETID",
  ["XADD", "x", "1-1", "a", "1"],
  ["XGROUP", "CREATE", "x", "g", "$"],
  ["XGROUP", "CREATECONSUMER", "x", "g", "c1"],
  ["XGROUP", "CREATECONSUMER", "x", "g", "c1"],
  ["XGROUP", "SETID", "x", "g", "0"],
  ["XREADGROUP", "GROUP", "g", "c1", "STREAMS", "x", ">"],
  ["XGROUP", "DELCONSUMER", "x", "g", "c1"],
  ["XGROUP", "DESTROY", "x", "g"],
  ["XGROUP", "DESTROY", "x", "g"],
);
add(
  "XREADGROUP history and unknown group",
  ["XADD", "x", "1-1", "a", "1"],
  ["XGROUP", "CREATE", "x", "g", "0"],
  ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "x", ">"],
  ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "x", "0"],
  ["XREADGROUP", "GROUP", "nope", "c", "STREAMS", "x", ">"],
);
add(
  "XINFO GROUPS",
  ["XADD", "x", "1-1", "a", "1"],
  ["XADD", "x", "2-1", "a", "2"],
  ["XGROUP", "CREATE", "x", "g", "0"],
  ["XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "x", ">"],
  ["XINFO", "GROUPS", "x"],
);
add(
  "XPENDING extended form",
  ["XADD", "x", "1-1", "a", "1"],
  ["XGROUP", "CREATE", "x", "g", "0"],
  ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "x", ">"],
  ["XPENDING", "x", "g", "-", "+", "10", "c"],
  ["XPENDING", "x", "g", "-", "+", "10", "other"],
);
add(
  "XCLAIM and XAUTOCLAIM",
  ["XADD", "x", "1-1", "a", "1"],
  ["XGROUP", "CREATE", "x", "g", "0"],
  ["XREADGROUP", "GROUP", "g", "c1", "STREAMS", "x", ">"],
  ["XCLAIM", "x", "g", "c2", "0", "1-1", "JUSTID"],
  ["XAUTOCLAIM", "x", "g", "c3", "0", "0-0", "JUSTID"],
  ["XPENDING", "x", "g", "-", "+", "10"],
);
add(
  "stream commands on a list are WRONGTYPE",
  ["RPUSH", "l", "a"],
  ["XADD", "l", "1-1", "f", "v"],
  ["XLEN", "l"],
  ["XRANGE", "l", "-", "+"],
);

// ── HyperLogLog ───────────────────────────────────────────────────────────
add(
  "PFADD and PFCOUNT",
  ["PFADD", "h", "a", "b", "c"],
  ["PFADD", "h", "a"],
  ["PFADD", "h", "d"],
  ["PFCOUNT", "h"],
  ["PFCOUNT", "nope"],
  ["PFADD", "e"],
  ["PFADD", "e"],
  ["TYPE", "h"],
);
add(
  "PFCOUNT of several and PFMERGE",
  ["PFADD", "a", "1", "2", "3"],
  ["PFADD", "b", "3", "4"],
  ["PFCOUNT", "a", "b"],
  ["PFMERGE", "c", "a", "b"],
  ["PFCOUNT", "c"],
  ["PFMERGE", "d"],
  ["EXISTS", "d"],
);
add(
  "PFADD on a list is WRONGTYPE and on a plain string is invalid",
  ["RPUSH", "l", "a"],
  ["PFADD", "l", "x"],
  ["SET", "s", "hello"],
  ["PFADD", "s", "x"],
  ["PFCOUNT", "s"],
);

// ── GEO ───────────────────────────────────────────────────────────────────
const GEO_SETUP = ["GEOADD", "g", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania"];
add("GEOADD and GEOPOS", GEO_SETUP, ["GEOPOS", "g", "Palermo", "Catania", "nope"], ["ZCARD", "g"], ["TYPE", "g"]);
add(
  "GEOADD NX, XX, CH",
  GEO_SETUP,
  ["GEOADD", "g", "NX", "13", "38", "Palermo"],
  ["GEOADD", "g", "XX", "CH", "13", "38", "Palermo"],
  ["GEOADD", "g", "XX", "1", "1", "New"],
  ["GEOPOS", "g", "Palermo", "New"],
);
add(
  "GEOADD with an invalid position",
  ["GEOADD", "g", "200", "38", "x"],
  ["GEOADD", "g", "13", "86", "x"],
  ["GEOADD", "g", "13", "38"],
);
for (const unit of ["m", "km", "mi", "ft"]) {
  add(`GEODIST in ${unit}`, GEO_SETUP, ["GEODIST", "g", "Palermo", "Catania", unit], ["GEODIST", "g", "Palermo", "nope", unit]);
}
add(
  "GEODIST default unit and a bad unit",
  GEO_SETUP,
  ["GEODIST", "g", "Palermo", "Catania"],
  ["GEODIST", "g", "Palermo", "Catania", "yd"],
);
add("GEOHASH", GEO_SETUP, ["GEOHASH", "g", "Palermo", "Catania", "nope"]);
add(
  "GEOSEARCH FROMLONLAT BYRADIUS",
  GEO_SETUP,
  ["GEOSEARCH", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "ASC"],
  ["GEOSEARCH", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "DESC", "WITHDIST", "WITHCOORD"],
  ["GEOSEARCH", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "100", "km", "ASC", "WITHDIST"],
);
add(
  "GEOSEARCH FROMMEMBER BYBOX and COUNT",
  GEO_SETUP,
  ["GEOSEARCH", "g", "FROMMEMBER", "Palermo", "BYBOX", "400", "400", "km", "ASC", "WITHDIST"],
  ["GEOSEARCH", "g", "FROMMEMBER", "Palermo", "BYRADIUS", "500", "km", "ASC", "COUNT", "1"],
  ["GEOSEARCH", "g", "FROMMEMBER", "nope", "BYRADIUS", "1", "km"],
);
add(
  "GEOSEARCHSTORE and STOREDIST",
  GEO_SETUP,
  ["GEOSEARCHSTORE", "out", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "ASC"],
  ["ZRANGE", "out", "0", "-1"],
  ["GEOSEARCHSTORE", "d", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "ASC", "STOREDIST"],
  ["ZRANGE", "d", "0", "-1", "WITHSCORES"],
);
add(
  "GEORADIUS and GEORADIUSBYMEMBER",
  GEO_SETUP,
  ["GEORADIUS", "g", "15", "37", "200", "km", "WITHDIST", "ASC"],
  ["GEORADIUS_RO", "g", "15", "37", "100", "km"],
  ["GEORADIUSBYMEMBER", "g", "Palermo", "200", "km", "ASC"],
  ["GEORADIUSBYMEMBER_RO", "g", "Palermo", "10", "km"],
);

// ── scripts ───────────────────────────────────────────────────────────────
add(
  "EVAL_RO reads but cannot write",
  ["SET", "k", "v"],
  ["EVAL_RO", "return redis.call('GET', KEYS[1])", "1", "k"],
  ["EVAL_RO", "return redis.call('SET', KEYS[1], 'x')", "1", "k"],
  ["GET", "k"],
);
add("EVAL_RO with pcall of a write", [
  "EVAL_RO",
  "local ok = redis.pcall('DEL', KEYS[1]); if type(ok) == 'table' and ok.err then return 'refused' end; return 'ran'",
  "1",
  "k",
]);
add("EVALSHA_RO of an unknown script", ["EVALSHA_RO", "0000000000000000000000000000000000000000", "0"]);
const INCR_SCRIPT = "return redis.call('INCR', KEYS[1])";
add(
  "EVALSHA_RO of a loaded write script",
  ["SCRIPT", "LOAD", INCR_SCRIPT],
  ["EVALSHA_RO", sha1(INCR_SCRIPT), "1", "k"],
  ["EXISTS", "k"],
  ["EVALSHA", sha1(INCR_SCRIPT), "1", "k"],
);
// Scripts pass option keywords in any case, as the SDK's own commands do.
add(
  "lowercase option keywords inside a script",
  ...[
    ["set", "s", "v", "px", "100000", "nx"],
    ["set", "s", "w", "xx", "get"],
    ["expire", "s", "1000", "gt"],
    ["zadd", "z", "nx", "ch", "1", "a", "2", "b"],
    ["zrange", "z", "0", "-1", "withscores"],
    ["zrangebyscore", "z", "-inf", "+inf", "withscores", "limit", "0", "1"],
    ["rpush", "l", "a", "c"],
    ["linsert", "l", "before", "c", "b"],
    ["lrange", "l", "0", "-1"],
    ["lpos", "l", "c", "rank", "1"],
    ["scan", "0", "match", "z*", "count", "100"],
    ["hset", "h", "f", "1"],
    ["hscan", "h", "0", "match", "*"],
  ].map((command) => ["EVAL", "return redis.call(unpack(ARGV))", "0", ...command]),
);
add(
  "SCRIPT LOAD compiles the script",
  ["SCRIPT", "LOAD", "return +"],
  ["SCRIPT", "LOAD", "return redis.call("],
  ["SCRIPT", "LOAD", "return 1"],
  ["EVALSHA", sha1("return 1"), "0"],
);
add(
  "a script that failed to compile is unknown to the rest of the same pipeline",
  ["SCRIPT", "LOAD", "return +"],
  ["SCRIPT", "EXISTS", sha1("return +"), sha1("return 1")],
  ["EVALSHA", sha1("return +"), "0"],
  ["EVAL", "return -", "0"],
  ["SCRIPT", "EXISTS", sha1("return -")],
  ["EVALSHA", sha1("return -"), "0"],
);
add(
  "EVAL reads and writes",
  ["EVAL", "redis.call('SET', KEYS[1], ARGV[1]); return redis.call('GET', KEYS[1])", "1", "k", "v"],
  ["EVAL", "return {1, 2, 'x', false}", "0"],
  ["EVAL", "return redis.call('INCRBY', KEYS[1], 5)", "1", "n"],
);
// What could differ between Lua VMs: integers past 32 bits, floats, number arguments, unpack, error tables.
add(
  "EVAL passes numbers both ways like Redis",
  ["SET", "big", "9007199254740000"],
  ["EVAL", "return redis.call('INCRBY', KEYS[1], 3000000000)", "1", "big"],
  ["EVAL", "return redis.call('INCRBY', KEYS[1], ARGV[1]) + 1", "1", "n", "4294967296"],
  [
    "EVAL",
    "redis.call('SET', KEYS[1], 2^40); redis.call('SET', KEYS[2], 7 / 2); return {redis.call('GET', KEYS[1]), redis.call('GET', KEYS[2])}",
    "2",
    "a",
    "b",
  ],
  ["EVAL", "return {3.99, -3.99, 1e3, 0.5, tonumber(ARGV[1])}", "0", "12345678901"],
);
add(
  "EVAL: unpack, pcall error tables, error_reply inside arrays",
  ["EVAL", "return {unpack({'a', 'b', 'c'})}", "0"],
  ["EVAL", "local e = redis.pcall('INCR', KEYS[1]); return type(e) == 'table' and type(e.err)", "1", "k"],
  ["SET", "s", "text"],
  ["EVAL", "local e = redis.pcall('INCR', KEYS[1]); return e", "1", "s"],
  ["EVAL", "return redis.call('INCR', KEYS[1])", "1", "s"],
  ["EVAL", "return {1, redis.error_reply('MY failure'), 3}", "0"],
  ["EVAL", "error('plain')", "0"],
  ["EVAL", "return redis.call()", "0"],
  ["EVAL", "return redis.call('GET', {})", "0"],
  ["EVAL", "return 'x' ..", "0"],
);
add(
  "redis.call checks a command's name and arity like Redis, in any case",
  ["EVAL", "return redis.pcall('GET')", "0"],
  ["EVAL", "return redis.pcall('get', KEYS[1], KEYS[1])", "1", "k"],
  ["EVAL", "return redis.call('SET', KEYS[1])", "1", "k"],
  ["EVAL", "redis.call('sEt', KEYS[1], 'v'); return redis.call('GeT', KEYS[1])", "1", "k"],
  ["EVAL", "return redis.pcall('HSET', KEYS[1], 'f')", "1", "h"],
  ["EVAL", "return redis.call('HSET', KEYS[1], 'f', 'v', 'g', 'w')", "1", "h"],
  ["EVAL", "return redis.pcall('NOSUCHCOMMAND', KEYS[1])", "1", "k"],
  ["EVAL", "return redis.pcall('EVAL', 'return 1', 0)", "0"],
);
// Strings cross between JavaScript and the VM through a view of its memory, which growing replaces.
add(
  "strings stay intact across a script that grows the VM's memory",
  [
    "EVAL",
    "redis.call('SET', KEYS[1], ARGV[1]); local big = string.rep(ARGV[1], 4 * 1024 * 1024); redis.call('SET', KEYS[2], ARGV[1] .. #big); return {redis.call('GET', KEYS[1]), redis.call('GET', KEYS[2]), #big, ARGV[1]}",
    "2",
    "a",
    "b",
    "žluť 🐴 ümlaut",
  ],
  ["GET", "b"],
);
add(
  "globals: the standard library is reachable, an undefined name is an error with Redis's message",
  ["EVAL", "local ok, e = pcall(function() return undefined_name end); return {tostring(ok), e}", "0"],
  ["EVAL", "return {tonumber('12'), type(string.sub), math.floor(2.5), type(_G.tonumber)}", "0"],
);
// A script's reply leaves the VM as one length-prefixed string: text that looks like that encoding must survive it.
add(
  "replies whose strings look like the reply encoding, nested, empty and with NUL bytes",
  ["EVAL", "return {'a1:s1:x', '', 'žluť:;', {redis.status_reply('OK'), {'', {}}, false, 'tail'}, 12345678901234}", "0"],
  ["EVAL", "return redis.status_reply('QUEUED')", "0"],
  ["EVAL", "return ARGV[1] .. '\\0' .. ARGV[1] .. '\\0'", "0", "i1;e3:ERR"],
  ["EVAL", "return {ARGV[1], {ARGV[1]}, redis.error_reply(ARGV[1])}", "0", "s99:"],
  [
    "EVAL",
    "return {redis.error_reply('plain words'), redis.error_reply('CODE text'), {err = 'NOCODE'}, {redis.pcall('INCR', KEYS[1])}}",
    "1",
    "k",
  ],
  ["EVAL", "return {redis.error_reply('Mixed Case'), redis.error_reply(''), redis.error_reply('MY failure')}", "0"],
  ["EVAL", "return redis.error_reply('plain words')", "0"],
  ["EVAL", "return redis.error_reply('oneword')", "0"],
  ["EVAL", "return {err = 'NOCODE'}", "0"],
  ["EVAL", "return {err = 'lower case text'}", "0"],
  ["EVAL", "return redis.error_reply('CODE  two spaces\\r\\n').err", "0"],
  ["EVAL", "return redis.error_reply('\\nlead').err", "0"],
  ["EVAL", "error({err = 'lowercase thing'})", "0"],
  ["EVAL", "error(redis.error_reply('MINE raised'))", "0"],
);
add(
  "EVAL runs sandboxed: no files, no modules, no process",
  ...["io", "require", "loadfile", "dofile", "package", "undefined_name"].map((name) => ["EVAL", `return type(${name})`, "0"]),
  ["EVAL", "return {type(string), type(math), type(table), type(tonumber), type(pcall)}", "0"],
);

// ── wrong types across families ───────────────────────────────────────────
const WRONGTYPE_PROBES = [
  ["LPUSH", "k", "x"],
  ["SADD", "k", "x"],
  ["HSET", "k", "f", "v"],
  ["ZADD", "k", "1", "x"],
  ["INCR", "k"],
  ["LLEN", "k"],
  ["SCARD", "k"],
  ["HLEN", "k"],
  ["ZCARD", "k"],
  ["GET", "k"],
  ["XLEN", "k"],
  ["PFCOUNT", "k"],
];
for (const [kind, setup] of Object.entries({
  string: ["SET", "k", "v"],
  list: ["RPUSH", "k", "a"],
  set: ["SADD", "k", "a"],
  hash: ["HSET", "k", "a", "b"],
  zset: ["ZADD", "k", "1", "a"],
})) {
  add(`every family against a ${kind}`, setup, ...WRONGTYPE_PROBES, ["TYPE", "k"]);
}

// Inside a script a type mismatch must fail the same way: `redis.call` raises the
// error, `redis.pcall` hands it back as an error table. Each probe runs plain, through
// redis.call and through redis.pcall (which returns the error's code, or the reply).
const TYPE_MISMATCH_PROBES = [
  // Reads first, while each key holds one element (a set's order is Redis's hash order).
  ["GET", "k"],
  ["HGET", "k", "a"],
  ["HGETALL", "k"],
  ["HMGET", "k", "a"],
  ["HEXISTS", "k", "a"],
  ["ZSCORE", "k", "a"],
  ["LRANGE", "k", "0", "-1"],
  ["LINDEX", "k", "0"],
  ["SMEMBERS", "k"],
  ["SISMEMBER", "k", "a"],
  ["SCARD", "k"],
  ["HSET", "k", "f", "v"],
  ["HINCRBY", "k", "a", "1"],
  ["ZADD", "k", "1", "x"],
  ["INCR", "k"],
  ["INCRBY", "k", "2"],
  ["INCRBY", "k", "two"],
  ["INCRBYFLOAT", "k", "1.5"],
  ["APPEND", "k", "x"],
  ["LPUSH", "k", "x"],
  ["SADD", "k", "x"],
  ["EXPIRE", "k", "soon"],
];
const PCALL_PROBE =
  "local r = redis.pcall(unpack(ARGV)); if type(r) == 'table' and r.err then return 'error ' .. string.match(r.err, '^%S+') end; return r";
for (const [kind, setup] of Object.entries({
  string: ["SET", "k", "v"],
  counter: ["SET", "k", "10"],
  list: ["RPUSH", "k", "a"],
  set: ["SADD", "k", "a"],
  hash: ["HSET", "k", "a", "b"],
  zset: ["ZADD", "k", "1", "a"],
})) {
  add(`type mismatches against a ${kind}, plain`, setup, ...TYPE_MISMATCH_PROBES, ["TYPE", "k"]);
  add(
    `type mismatches against a ${kind}, through redis.call`,
    setup,
    ...TYPE_MISMATCH_PROBES.map((probe) => ["EVAL", "return redis.call(unpack(ARGV))", "0", ...probe]),
    ["TYPE", "k"],
  );
  add(
    `type mismatches against a ${kind}, through redis.pcall`,
    setup,
    ...TYPE_MISMATCH_PROBES.map((probe) => ["EVAL", PCALL_PROBE, "0", ...probe]),
    ["TYPE", "k"],
  );
}

// A mismatch at a key other than the first: a destination or a second source.
const OTHER_KEY_PROBES = [
  ["RPOPLPUSH", "l", "str"],
  ["SMOVE", "s", "str", "a"],
  ["SINTER", "s", "str"],
  ["SUNION", "s", "str"],
  ["SDIFF", "s", "str"],
  ["SINTERSTORE", "str", "s", "str"],
  ["SMISMEMBER", "str", "a"],
  ["MGET", "str", "l"],
  ["GETDEL", "l"],
  ["GETSET", "l", "v"],
  ["HINCRBYFLOAT", "h", "f", "1"],
  ["HSETNX", "l", "f", "v"],
  ["LMPOP", "2", "str", "l", "LEFT"],
  ["SDIFFSTORE", "dest", "s", "l"],
  ["SUNIONSTORE", "str", "s"],
  ["LPUSHX", "s", "x"],
  ["RPUSHX", "h", "x"],
  ["HRANDFIELD", "l"],
  ["SRANDMEMBER", "l"],
  ["SPOP", "h"],
  ["LPOS", "s", "a"],
  ["LREM", "s", "0", "a"],
  ["LTRIM", "h", "0", "1"],
  ["LSET", "s", "0", "x"],
  ["SETNX", "l", "x"],
  ["MSETNX", "l", "x", "new", "y"],
  ["HMSET", "l", "f", "v"],
  ["HDEL", "l", "f"],
  ["HKEYS", "l"],
  ["HVALS", "s"],
  ["SREM", "h", "f"],
  ["HSTRLEN", "l", "f"],
  ["SETEX", "l", "100", "now-a-string"],
  ["TYPE", "l"],
];
const OTHER_KEY_SETUP = [
  ["SET", "str", "x"],
  ["RPUSH", "l", "a", "b"],
  ["SADD", "s", "a"],
  ["HSET", "h", "f", "text"],
];
add("type mismatches at other keys, plain", ...OTHER_KEY_SETUP, ...OTHER_KEY_PROBES);
add(
  "type mismatches at other keys, through redis.call",
  ...OTHER_KEY_SETUP,
  ...OTHER_KEY_PROBES.map((probe) => ["EVAL", "return redis.call(unpack(ARGV))", "0", ...probe]),
);

// ── empty values and missing keys ─────────────────────────────────────────
add(
  "empty strings as values, fields and members",
  ["SET", "k", ""],
  ["GET", "k"],
  ["STRLEN", "k"],
  ["HSET", "h", "", ""],
  ["HGET", "h", ""],
  ["SADD", "s", ""],
  ["SISMEMBER", "s", ""],
  ["ZADD", "z", "0", ""],
  ["ZSCORE", "z", ""],
  ["RPUSH", "l", ""],
  ["LRANGE", "l", "0", "-1"],
);
add(
  "reads of missing keys",
  ["GET", "m"],
  ["LRANGE", "m", "0", "-1"],
  ["SMEMBERS", "m"],
  ["HGETALL", "m"],
  ["ZRANGE", "m", "0", "-1"],
  ["ZSCORE", "m", "a"],
  ["HGET", "m", "f"],
  ["LPOP", "m"],
  ["SPOP", "m"],
  ["ZCARD", "m"],
  ["SCARD", "m"],
  ["TTL", "m"],
  ["TYPE", "m"],
  ["XLEN", "m"],
);
add("PUBLISH with no subscriber and MEMORY USAGE of a missing key", ["PUBLISH", "ch", "hello"], ["MEMORY", "USAGE", "nope"]);
add("unknown commands and wrong arity", ["NOSUCHCOMMAND", "a"], ["GET"], ["SET", "k"], ["HSET", "h", "f"], ["ZADD", "z", "1"]);

export const DIFFERENTIAL_CASES: readonly DiffCase[] = cases;
