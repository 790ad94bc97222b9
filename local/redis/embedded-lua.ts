import { LuaWasm } from "wasmoon";
import type { Outcome, Reply } from "./engine";

/**
 * Lua scripts for the embedded engine, on the reference Lua VM (Lua 5.4, C,
 * compiled to WebAssembly and shipped inside the `wasmoon` package): one Lua
 * state per engine, all in one WebAssembly instance per process.
 *
 * Why not fengari (Lua in JavaScript, which ioredis-mock ships): its VM grows
 * and shrinks its stack array with `delete`, allocates an object per value and
 * per call, and spent most of a script's time on that; a claim-shaped script costs
 * about a fourteenth of what it did there (ADR 0018 has the figures).
 *
 * Only wasmoon's raw C API is used, not its JavaScript interop layer: strings
 * cross as UTF-8 bytes through one scratch buffer in the WebAssembly memory, and
 * the one JavaScript function Lua sees is the `redis.call` bridge.
 *
 * The VM, the `redis` library and the reply encoder are set up once per state,
 * each script is compiled once (cached by its text) and every run
 * only binds a fresh global table holding that run's `KEYS`, `ARGV` and `redis`.
 * Globals a script creates live in that table, so they never reach the next run;
 * reading a global nobody defined is an error, as in Redis 7.
 * The standard library tables (`string`, `math`, …) are shared by all runs, as in
 * Redis, where the VM is shared too; `io`, `os` (but `os.clock`), `package` and
 * file loading are removed, as Redis removes them.
 *
 * `redis.call` reaches the mock's synchronous command functions, so a script
 * runs start to finish without yielding (the engine's lock keeps it atomic).
 * Replies enter Lua the way Redis converts them: nil → `false` (also inside
 * arrays), integers → integers, arrays → 1-based tables. The script's return
 * value leaves as one string the prelude encodes (tags and lengths, `a2:i0;s2:ok`)
 * and `decodeReply` turns it into a Redis reply: numbers truncate, `false` → nil,
 * tables stop at the first nil, `{err=…}`/`{ok=…}`.
 */

/**
 * Runs once per state. Receives the JavaScript command bridge and returns the
 * function that runs one compiled script. Everything it relies on is captured in
 * locals, so a script that changes a library table cannot break later runs.
 */
const PRELUDE = `
local bridge = ...
local type, tostring, pcall, error, setmetatable = type, tostring, pcall, error, setmetatable
local floor, ceil, huge, mathtype = math.floor, math.ceil, math.huge, math.type
local concat, format, find, sub, match = table.concat, string.format, string.find, string.sub, string.match

local function trim(text) return match(text, "^[\\r\\n]*(.-)[\\r\\n]*$") end
local setupvalue = debug.setupvalue
local globals = _ENV

-- What Redis leaves out of a script's reach: the file system, the process, modules.
globals.io, globals.package, globals.require, globals.dofile, globals.loadfile = nil, nil, nil, nil, nil
globals.os = { clock = os.clock }
-- Lua 5.1 name that Redis scripts use.
globals.unpack = table.unpack

local function message(e)
  if type(e) == "table" and type(e.err) == "string" then return e.err end
  return tostring(e)
end

local redis = {
  call = function(...)
    local ok, reply = bridge(...)
    if not ok then error({ err = reply }, 0) end
    return reply
  end,
  pcall = function(...)
    local ok, reply = bridge(...)
    if ok then return reply end
    return { err = reply }
  end,
  -- As Redis 7 builds it: the first word is the error's code, and a text of one word gets ERR.
  error_reply = function(msg)
    if type(msg) ~= "string" then return { err = msg } end
    local space = find(msg, " ", 1, true)
    if space == nil then return { err = "ERR " .. trim(msg) } end
    return { err = sub(msg, 1, space - 1) .. " " .. trim(sub(msg, space + 1)) }
  end,
  status_reply = function(msg) return { ok = msg } end,
  log = function() end,
  setresp = function() end,
  LOG_DEBUG = 0, LOG_VERBOSE = 1, LOG_NOTICE = 2, LOG_WARNING = 3,
}

-- The reply leaves Lua as one string, read by \`decodeReply\`: one JavaScript call for the whole
-- reply instead of several per value. Each value is a tag and its payload:
--   n  nil          i<digits>;  integer        s<length>:<bytes>  string
--   o<length>:<bytes>  status   e<length>:<bytes>  error   a<count>:<values>  array
local out, n = {}, 0

local function put(tag, text)
  out[n + 1], out[n + 2], out[n + 3], out[n + 4] = tag, #text, ":", text
  n = n + 4
end

local function encode(v, depth)
  local t = type(v)
  if t == "string" then return put("s", v) end
  if t == "number" then
    if v ~= v or v == huge or v == -huge then v = 0 end
    v = v >= 0 and floor(v) or ceil(v)
    -- floor and ceil give a float only past 64-bit integers; 17 digits carry any double exactly.
    out[n + 1], out[n + 2], out[n + 3] = "i", mathtype(v) == "integer" and v or format("%.17g", v), ";"
    n = n + 3
    return
  end
  if t == "boolean" then
    if v then
      out[n + 1] = "i1;"
    else
      out[n + 1] = "n"
    end
    n = n + 1
    return
  end
  if t == "table" then
    if type(v.err) == "string" then return put("e", v.err) end
    if type(v.ok) == "string" then return put("o", v.ok) end
    if depth > 64 then return put("e", "ERR reached lua stack limit") end
    out[n + 1], out[n + 3] = "a", ":"
    local count = n + 2
    n = n + 3
    local i = 1
    while v[i] ~= nil do
      encode(v[i], depth + 1)
      i = i + 1
    end
    out[count] = i - 1
    return
  end
  out[n + 1] = "n"
  n = n + 1
end

local function reply(v)
  -- From the start every time: a run whose encoding failed (an erroring __index) left pieces behind.
  n = 0
  encode(v, 0)
  local text = concat(out, "", 1, n)
  -- A long reply's pieces are not kept alive until the next run.
  if n > 1024 then out = {} end
  return text
end

local function error_reply(text)
  return concat({ "e", #text, ":", text })
end

local redis_meta = { __index = redis }
-- Redis 7 refuses to read a global nobody defined, which catches typos in scripts. A run's
-- globals fall back to the shared table (a table, not a function: reading \`tonumber\` or
-- \`string\` costs no Lua call), and only a name missing there too reaches the error.
setmetatable(globals, {
  __index = function(_, name)
    error("Script attempted to access nonexistent global variable '" .. tostring(name) .. "'", 2)
  end,
})
local globals_meta = { __index = globals }

return function(script, keys, argv)
  -- A fresh global table per run: what one script defines, the next cannot see.
  local env = setmetatable({ KEYS = keys, ARGV = argv, redis = setmetatable({}, redis_meta) }, globals_meta)
  env._G = env
  setupvalue(script, 1, env)
  local ok, result = pcall(script)
  if not ok then
    if type(result) == "table" and type(result.err) == "string" then return error_reply(result.err) end
    return error_reply("ERR " .. message(result))
  end
  return reply(result)
end
`;

/** Compiled scripts kept per engine; the least recently run is dropped beyond this. */
const MAX_COMPILED = 500;

// Lua 5.4's C API constants (lua.h, luaconf.h).
const LUA_OK = 0;
const LUA_REGISTRYINDEX = -1_001_000;
const LUA_TNUMBER = 3;
const LUA_TSTRING = 4;

/** A `lua_State*`: an address in the WebAssembly memory. */
type LuaState = number;
type Pointer = number;

/** The raw exports of the Lua C API used here (`lua_Integer` arguments are 64-bit, so BigInt). */
interface LuaModule {
  HEAPU8: Uint8Array;
  _malloc(size: number): Pointer;
  _free(pointer: Pointer): void;
  addFunction(fn: (L: LuaState) => number, signature: string): Pointer;
  removeFunction(pointer: Pointer): void;
  _luaL_newstate(): LuaState;
  _luaL_openlibs(L: LuaState): void;
  _luaL_loadbufferx(L: LuaState, buffer: Pointer, size: number, name: Pointer, mode: Pointer): number;
  _luaL_ref(L: LuaState, table: number): number;
  _luaL_unref(L: LuaState, table: number, ref: number): void;
  _lua_close(L: LuaState): void;
  _lua_gettop(L: LuaState): number;
  _lua_settop(L: LuaState, index: number): void;
  _lua_checkstack(L: LuaState, extra: number): number;
  _lua_type(L: LuaState, index: number): number;
  _lua_isinteger(L: LuaState, index: number): number;
  _lua_tointegerx(L: LuaState, index: number, isnum: Pointer): bigint;
  _lua_tonumberx(L: LuaState, index: number, isnum: Pointer): number;
  _lua_tolstring(L: LuaState, index: number, length: Pointer): Pointer;
  _lua_rawlen(L: LuaState, index: number): number;
  _lua_rawgeti(L: LuaState, index: number, n: bigint): number;
  _lua_rawseti(L: LuaState, index: number, n: bigint): void;
  _lua_createtable(L: LuaState, arrayCount: number, recordCount: number): void;
  _lua_pushboolean(L: LuaState, value: number): void;
  _lua_pushinteger(L: LuaState, value: bigint): void;
  _lua_pushnumber(L: LuaState, value: number): void;
  _lua_pushlstring(L: LuaState, text: Pointer, length: number): Pointer;
  _lua_pushcclosure(L: LuaState, fn: Pointer, upvalues: number): void;
  _lua_pcallk(L: LuaState, argCount: number, resultCount: number, handler: number, ctx: number, k: Pointer): number;
}

/** The C functions of `LuaModule`, by their exported names. */
const C_FUNCTIONS = [
  "_malloc",
  "_free",
  "_luaL_newstate",
  "_luaL_openlibs",
  "_luaL_loadbufferx",
  "_luaL_ref",
  "_luaL_unref",
  "_lua_close",
  "_lua_gettop",
  "_lua_settop",
  "_lua_checkstack",
  "_lua_type",
  "_lua_isinteger",
  "_lua_tointegerx",
  "_lua_tonumberx",
  "_lua_tolstring",
  "_lua_rawlen",
  "_lua_rawgeti",
  "_lua_rawseti",
  "_lua_createtable",
  "_lua_pushboolean",
  "_lua_pushinteger",
  "_lua_pushnumber",
  "_lua_pushlstring",
  "_lua_pushcclosure",
  "_lua_pcallk",
] as const satisfies ReadonlyArray<keyof LuaModule>;

/** One WebAssembly instance per process; each engine opens its own Lua state in it. */
let sharedModule: Promise<LuaModule> | undefined;
function luaModule(): Promise<LuaModule> {
  sharedModule ??= loadLuaModule();
  return sharedModule;
}

/**
 * wasmoon's build wraps every exported C function in a check that formats an
 * error message on each call, whether or not it fails: that alone was a tenth of
 * a script's time. So the instance's own exports are taken as it is created and
 * called directly; the wrapped ones remain the fallback if that ever fails.
 */
async function loadLuaModule(): Promise<LuaModule> {
  const instantiate = WebAssembly.instantiate;
  let exports: WebAssembly.Exports | undefined;
  WebAssembly.instantiate = async function (this: unknown, ...args: unknown[]) {
    const created = await (instantiate as (...a: unknown[]) => Promise<unknown>).apply(this, args);
    const instance =
      created instanceof WebAssembly.Instance ? created : (created as { instance?: WebAssembly.Instance })?.instance;
    // Anything else instantiated meanwhile (undici's HTTP parser is WebAssembly too) is not ours.
    if (typeof instance?.exports.lua_gettop === "function") exports ??= instance.exports;
    return created;
  } as typeof WebAssembly.instantiate;
  let wasm: LuaWasm;
  try {
    wasm = await LuaWasm.initialize();
  } finally {
    WebAssembly.instantiate = instantiate;
  }
  const module = wasm.module as unknown as Record<string, unknown>;
  // Only an instance whose memory is the module's own may stand in for its functions.
  const memory = (exports as { memory?: WebAssembly.Memory } | undefined)?.memory;
  const ours = memory !== undefined && (module.HEAPU8 as Uint8Array).buffer === memory.buffer;
  const raw = (ours ? exports : {}) as Record<string, unknown>;
  const api: Record<string, unknown> = {
    addFunction: module.addFunction,
    removeFunction: module.removeFunction,
  };
  for (const name of C_FUNCTIONS) {
    const direct = raw[name.slice(1)];
    api[name] = typeof direct === "function" ? direct : module[name];
  }
  // The memory view is replaced when the memory grows: always read the current one.
  Object.defineProperty(api, "HEAPU8", { get: () => module.HEAPU8 });
  return api as unknown as LuaModule;
}

const encoder = new TextEncoder();

/**
 * Buffer's own codec methods, the ones `toString` and `write` end in after checking their
 * arguments and looking up the encoding: on this path (every key, argument and reply of every
 * `redis.call`) those checks cost as much as the copying. They are not in Node's typings, so
 * they are looked up once, and the public methods stand in should a Node version lack them.
 */
interface BufferCodec {
  utf8Slice(this: Buffer, start: number, end: number): string;
  latin1Slice(this: Buffer, start: number, end: number): string;
  utf8Write(this: Buffer, text: string, offset: number, length: number): number;
}
const prototype = Buffer.prototype as unknown as Partial<BufferCodec>;
const codec: BufferCodec =
  typeof prototype.utf8Slice === "function" &&
  typeof prototype.latin1Slice === "function" &&
  typeof prototype.utf8Write === "function"
    ? (prototype as BufferCodec)
    : {
        utf8Slice(start, end) {
          return this.toString("utf8", start, end);
        },
        latin1Slice(start, end) {
          return this.toString("latin1", start, end);
        },
        utf8Write(text, offset, length) {
          return this.write(text, offset, length, "utf8");
        },
      };

/**
 * `lua_Integer` crosses into WebAssembly as a BigInt: the small ones (table indexes, counters,
 * 0 and 1 replies) are made once instead of on every call.
 */
const SMALL_INTEGERS = Array.from({ length: 1_024 }, (_, i) => BigInt(i));
function luaInteger(value: number): bigint {
  return SMALL_INTEGERS[value] ?? BigInt(value);
}

/**
 * Moves strings across the WebAssembly boundary: one growable scratch buffer for
 * text going in (Lua copies it at once), and the bytes of a Lua string read out.
 *
 * Every key and argument of every `redis.call` crosses here, so both directions go
 * through one Buffer over the whole memory, kept until the memory grows: growing
 * detaches the old ArrayBuffer, which leaves the view empty, and only then is a new
 * view made. No view object per string, no lookup of the module's views per string.
 */
class Strings {
  #buffer: Pointer;
  #capacity = 4_096;
  #heap: Buffer;
  /** Out-parameter for `lua_tolstring`'s length. */
  readonly #length: Pointer;
  /** NUL-terminated constants for `luaL_loadbufferx`. */
  readonly chunkName: Pointer;
  readonly textMode: Pointer;

  constructor(private readonly m: LuaModule) {
    this.#heap = Buffer.from(m.HEAPU8.buffer);
    this.#buffer = m._malloc(this.#capacity);
    this.#length = m._malloc(4);
    // Redis 7 names a script's chunk `user_script`, so errors read `user_script:1: …`.
    this.chunkName = this.#constant("@user_script");
    this.textMode = this.#constant("t");
  }

  /** Writes `text` as UTF-8 into the scratch buffer; returns its byte length. */
  write(text: string): { pointer: Pointer; length: number } {
    const length = this.#write(text);
    // Read after writing: a long text moves the scratch buffer.
    return { pointer: this.#buffer, length };
  }

  push(L: LuaState, text: string): void {
    const length = this.#write(text);
    this.m._lua_pushlstring(L, this.#buffer, length);
  }

  pushBytes(L: LuaState, bytes: Uint8Array): void {
    this.#reserve(bytes.length);
    this.#view().set(bytes, this.#buffer);
    this.m._lua_pushlstring(L, this.#buffer, bytes.length);
  }

  /** The string at `index` (which must be a string, so nothing is converted in place). */
  read(L: LuaState, index: number): string {
    const pointer = this.m._lua_tolstring(L, index, this.#length);
    const heap = this.#view();
    // Decoded straight out of the memory, as TextDecoder would (bad bytes become U+FFFD).
    return codec.utf8Slice.call(heap, pointer, pointer + heap.readUInt32LE(this.#length));
  }

  /** Hands the bytes of the string at `index` to `decode` where they lie, without copying them out. */
  decode<T>(L: LuaState, index: number, decode: (heap: Buffer, start: number, end: number) => T): T {
    const pointer = this.m._lua_tolstring(L, index, this.#length);
    const heap = this.#view();
    return decode(heap, pointer, pointer + heap.readUInt32LE(this.#length));
  }

  close(): void {
    for (const pointer of [this.#buffer, this.#length, this.chunkName, this.textMode]) this.m._free(pointer);
  }

  #write(text: string): number {
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    this.#reserve(text.length * 3);
    return codec.utf8Write.call(this.#view(), text, this.#buffer, this.#capacity);
  }

  #reserve(bytes: number): void {
    if (bytes <= this.#capacity) return;
    this.m._free(this.#buffer);
    this.#capacity = Math.max(this.#capacity * 2, bytes);
    this.#buffer = this.m._malloc(this.#capacity);
  }

  /** The Buffer over the memory; a grown memory has detached the old one (its length is then 0). */
  #view(): Buffer {
    if (this.#heap.length === 0) this.#heap = Buffer.from(this.m.HEAPU8.buffer);
    return this.#heap;
  }

  #constant(text: string): Pointer {
    const bytes = encoder.encode(`${text}\0`);
    const pointer = this.m._malloc(bytes.length);
    this.#view().set(bytes, pointer);
    return pointer;
  }
}

/**
 * Runs one command for `redis.call` synchronously and returns the mock's reply.
 * @throws Error whose message becomes the Lua error reply
 */
export type ScriptCommand = (name: string, args: string[]) => unknown;

export interface LuaRunner {
  /** Runs `source` (already shebang-free) with these KEYS and ARGV. */
  run(source: string, keys: string[], argv: string[]): Outcome;
  /** Compiles `source` (already shebang-free) and keeps it for later runs, as SCRIPT LOAD does; the error reply, or null. */
  compile(source: string): string | null;
  close(): void;
}

export async function createLuaRunner(callCommand: ScriptCommand): Promise<LuaRunner> {
  const m = await luaModule();
  const strings = new Strings(m);
  const L = m._luaL_newstate();
  m._luaL_openlibs(L);

  /** Reads a number argument as Redis does: integers exactly, others through JavaScript's shortest form. */
  function numberArgument(state: LuaState, index: number): string {
    if (m._lua_isinteger(state, index)) return String(m._lua_tointegerx(state, index, 0));
    return String(m._lua_tonumberx(state, index, 0));
  }

  // An exception must never unwind through the VM's C frames: every path returns to Lua.
  function bridge(state: LuaState): number {
    try {
      const count = m._lua_gettop(state);
      if (count === 0) return fail(state, "ERR Please specify at least one argument for this redis lib call");
      let name = "";
      const args: string[] = [];
      for (let i = 1; i <= count; i++) {
        const type = m._lua_type(state, i);
        let value: string;
        if (type === LUA_TSTRING) value = strings.read(state, i);
        else if (type === LUA_TNUMBER) value = numberArgument(state, i);
        else return fail(state, "ERR Lua redis lib command arguments must be strings or integers");
        if (i === 1) name = value;
        else args.push(value);
      }
      const reply = callCommand(name, args);
      m._lua_pushboolean(state, 1);
      pushReply(state, reply);
      return 2;
    } catch (error) {
      return fail(state, error instanceof Error ? error.message : String(error));
    }
  }

  function fail(state: LuaState, message: string): number {
    m._lua_pushboolean(state, 0);
    strings.push(state, message);
    return 2;
  }

  /** Pushes a mock reply as Redis hands it to Lua: nil → false, arrays → tables. */
  function pushReply(state: LuaState, value: unknown): void {
    if (value === null || value === undefined) m._lua_pushboolean(state, 0);
    else if (typeof value === "string") strings.push(state, value);
    else if (typeof value === "number") {
      if (Number.isSafeInteger(value)) m._lua_pushinteger(state, luaInteger(value));
      else m._lua_pushnumber(state, value);
    } else if (typeof value === "boolean") m._lua_pushinteger(state, luaInteger(value ? 1 : 0));
    else if (value instanceof Uint8Array) strings.pushBytes(state, value);
    else if (Array.isArray(value)) pushArray(state, value);
    else if (value instanceof Map) pushArray(state, [...value.entries()].flat());
    // HGETALL answers with an object: field, value, field, value…
    else if (typeof value === "object") pushArray(state, Object.entries(value).flat());
    else strings.push(state, String(value));
  }

  function pushArray(state: LuaState, values: unknown[]): void {
    if (!m._lua_checkstack(state, 2)) throw new Error("ERR reply too deeply nested");
    m._lua_createtable(state, values.length, 0);
    for (let i = 0; i < values.length; i++) {
      pushReply(state, values[i]);
      m._lua_rawseti(state, -2, luaInteger(i + 1));
    }
  }

  function pushStrings(values: string[]): void {
    m._lua_createtable(L, values.length, 0);
    for (let i = 0; i < values.length; i++) {
      strings.push(L, values[i]!);
      m._lua_rawseti(L, -2, luaInteger(i + 1));
    }
  }

  /** Compiles `source` onto the stack; returns null, or the error (popped). */
  function load(source: string): string | null {
    const { pointer, length } = strings.write(source);
    if (m._luaL_loadbufferx(L, pointer, length, strings.chunkName, strings.textMode) === LUA_OK) return null;
    const message = strings.read(L, -1);
    m._lua_settop(L, -2);
    return message;
  }

  const bridgePointer = m.addFunction(bridge, "ii");
  if (load(PRELUDE) !== null) throw new Error("the Lua prelude does not compile");
  m._lua_pushcclosure(L, bridgePointer, 0);
  if (m._lua_pcallk(L, 1, 1, 0, 0, 0) !== LUA_OK) throw new Error(`the Lua prelude failed: ${strings.read(L, -1)}`);
  const runRef = m._luaL_ref(L, LUA_REGISTRYINDEX);

  /**
   * Source text → registry reference of its compiled chunk; insertion order = recency.
   * Keyed by the text itself, not its SHA-1: V8 hashes a string once and keeps the
   * hash, and the script cache hands over the same string on every EVALSHA.
   */
  const compiled = new Map<string, number>();

  /** Registry reference of the compiled script, or the compiler's message. */
  function compile(source: string): number | string {
    const cached = compiled.get(source);
    if (cached !== undefined) {
      compiled.delete(source);
      compiled.set(source, cached);
      return cached;
    }
    const failure = load(source);
    if (failure !== null) return failure;
    const ref = m._luaL_ref(L, LUA_REGISTRYINDEX);
    compiled.set(source, ref);
    if (compiled.size > MAX_COMPILED) {
      const [oldest, oldRef] = compiled.entries().next().value!;
      compiled.delete(oldest);
      m._luaL_unref(L, LUA_REGISTRYINDEX, oldRef);
    }
    return ref;
  }

  let closed = false;
  return {
    run(source, keys, argv) {
      if (closed) return { error: "ERR the embedded engine is closed" };
      const script = compile(source);
      if (typeof script === "string") return { error: compileError(script) };
      const base = m._lua_gettop(L);
      try {
        m._lua_rawgeti(L, LUA_REGISTRYINDEX, luaInteger(runRef));
        m._lua_rawgeti(L, LUA_REGISTRYINDEX, luaInteger(script));
        pushStrings(keys);
        pushStrings(argv);
        if (m._lua_pcallk(L, 3, 1, 0, 0, 0) !== LUA_OK) return { error: `ERR ${strings.read(L, -1)}` };
        return strings.decode(L, -1, decodeReply);
      } finally {
        m._lua_settop(L, base);
      }
    },
    compile(source) {
      if (closed) return "ERR the embedded engine is closed";
      const script = compile(source);
      return typeof script === "string" ? compileError(script) : null;
    },
    close() {
      if (closed) return;
      closed = true;
      compiled.clear();
      m._lua_close(L);
      m.removeFunction(bridgePointer);
      strings.close();
    },
  };
}

/** Redis's reply for a script that does not compile. */
function compileError(message: string): string {
  return `ERR Error compiling script (new function): ${message}`;
}

const TAG = { integer: 0x69, string: 0x73, status: 0x6f, error: 0x65, array: 0x61 } as const;
const COLON = 0x3a;
const SEMICOLON = 0x3b;

/**
 * Turns the prelude's flat reply (the bytes `heap[start, end)`, see `encode` there) into a Redis
 * reply: strings and statuses as text, integers as numbers, an error table's text as it is
 * (an error at the top level, a string inside an array).
 */
function decodeReply(heap: Buffer, start: number, end: number): Outcome {
  const cursor: Cursor = { heap, at: start, end };
  if (heap[start] === TAG.error) return { error: readText(cursor, start + 1) };
  return { result: readValue(cursor) };
}

// Plain functions over a cursor rather than closures made per reply: this runs for every script.
interface Cursor {
  heap: Buffer;
  at: number;
  end: number;
}

/** The ASCII digits from the cursor up to `stop`, as a number; the cursor moves past `stop`. */
function readDigits(cursor: Cursor, stop: number): number {
  const { heap, end } = cursor;
  const from = cursor.at;
  let at = from;
  while (at < end && heap[at] !== stop) at++;
  cursor.at = at + 1;
  return Number(codec.latin1Slice.call(heap, from, at));
}

/** A `<length>:<bytes>` payload starting at `at`, as text. */
function readText(cursor: Cursor, at: number): string {
  cursor.at = at;
  const length = readDigits(cursor, COLON);
  const from = cursor.at;
  cursor.at = from + length;
  return codec.utf8Slice.call(cursor.heap, from, from + length);
}

function readValue(cursor: Cursor): Reply {
  const tag = cursor.heap[cursor.at]!;
  const at = cursor.at + 1;
  switch (tag) {
    case TAG.string:
    case TAG.status:
    case TAG.error:
      return readText(cursor, at);
    case TAG.integer:
      cursor.at = at;
      return Math.trunc(readDigits(cursor, SEMICOLON));
    case TAG.array: {
      cursor.at = at;
      const items: Reply[] = [];
      for (let count = readDigits(cursor, COLON); count > 0; count--) items.push(readValue(cursor));
      return items;
    }
    default: // "n", nil
      cursor.at = at;
      return null;
  }
}
