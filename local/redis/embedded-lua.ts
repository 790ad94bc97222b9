import { createRequire } from "node:module";
import type { Outcome, Reply } from "./engine";
import { sha1Hex } from "./scripts";

/**
 * Lua scripts for the embedded engine, on one fengari VM (Lua 5.3 in JavaScript)
 * per engine.
 *
 * ioredis-mock's own EVAL builds a fresh VM and recompiles the script on every
 * call, which made one trivial EVAL cost about four GETs. Here the VM, the
 * `redis` library and the reply encoder are set up once, each script is compiled
 * once (cached by the SHA-1 of its text) and every run only binds a fresh global
 * table holding that run's `KEYS`, `ARGV` and `redis`. Globals a script creates
 * live in that table, so they never reach the next run (each run starting clean,
 * as it did with a VM per call). The standard library tables (`string`, `math`,
 * …) are shared by all runs, as in Redis 6, where the VM is shared too.
 *
 * `redis.call` reaches the mock's synchronous command functions, so a script
 * runs start to finish without yielding (the engine's lock keeps it atomic).
 * Replies enter Lua the way Redis converts them: nil → `false` (also inside
 * arrays), integers → integers, arrays → 1-based tables. The script's return
 * value leaves as a tagged tree built by the prelude (`{"s", text}`,
 * `{"a", {…}}`, …) and `decodeLuaReply` turns it into a Redis reply: numbers
 * truncate, `false` → nil, tables stop at the first nil, `{err=…}`/`{ok=…}`.
 */

// fengari ships with ioredis-mock; resolve it through ioredis-mock so this works
// however npm laid out node_modules and always loads the same copy.
const requireHere = createRequire(import.meta.url);
const requireFromMock = createRequire(requireHere.resolve("ioredis-mock"));
const fengari = requireFromMock("fengari") as Fengari;
const { lua, lauxlib, lualib, to_luastring } = fengari;

/** A lua_State; opaque here. */
type LuaState = object;
type JsFunction = (L: LuaState) => number;

/** The part of fengari's C-like API used here (fengari has no type definitions). */
interface Fengari {
  to_luastring(text: string): Uint8Array;
  lua: {
    LUA_OK: number;
    LUA_REGISTRYINDEX: number;
    LUA_TNUMBER: number;
    LUA_TSTRING: number;
    LUA_TTABLE: number;
    lua_gettop(L: LuaState): number;
    lua_settop(L: LuaState, index: number): void;
    lua_pop(L: LuaState, count: number): void;
    lua_checkstack(L: LuaState, extra: number): boolean;
    lua_type(L: LuaState, index: number): number;
    lua_tojsstring(L: LuaState, index: number): string;
    lua_tonumber(L: LuaState, index: number): number;
    lua_touserdata(L: LuaState, index: number): unknown;
    lua_rawlen(L: LuaState, index: number): number;
    lua_rawgeti(L: LuaState, index: number, n: number): number;
    lua_rawseti(L: LuaState, index: number, n: number): void;
    lua_createtable(L: LuaState, arrayCount: number, recordCount: number): void;
    lua_pushboolean(L: LuaState, value: boolean): void;
    lua_pushinteger(L: LuaState, value: number): void;
    lua_pushnumber(L: LuaState, value: number): void;
    lua_pushstring(L: LuaState, value: string | Uint8Array): void;
    lua_pushjsfunction(L: LuaState, fn: JsFunction): void;
    lua_pcall(L: LuaState, argCount: number, resultCount: number, handler: number): number;
    lua_atnativeerror(L: LuaState, fn: JsFunction): void;
    lua_close(L: LuaState): void;
  };
  lauxlib: {
    luaL_newstate(): LuaState;
    luaL_loadbufferx(L: LuaState, buffer: Uint8Array, size: number, name: Uint8Array, mode: Uint8Array): number;
    luaL_ref(L: LuaState, table: number): number;
    luaL_unref(L: LuaState, table: number, ref: number): void;
  };
  lualib: {
    luaL_openlibs(L: LuaState): void;
  };
}

/**
 * Runs once per VM. Receives the JavaScript command bridge and returns the
 * function that runs one compiled script. Everything it relies on is captured in
 * locals, so a script that changes a library table cannot break later runs.
 */
const PRELUDE = `
local bridge = ...
local type, tostring, pcall, error, setmetatable = type, tostring, pcall, error, setmetatable
local floor, ceil, huge = math.floor, math.ceil, math.huge
local setupvalue = debug.setupvalue
local globals = _ENV

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
  error_reply = function(msg) return { err = msg } end,
  status_reply = function(msg) return { ok = msg } end,
  log = function() end,
  setresp = function() end,
  LOG_DEBUG = 0, LOG_VERBOSE = 1, LOG_NOTICE = 2, LOG_WARNING = 3,
}

local function encode(v, depth)
  local t = type(v)
  if t == "string" then return { "s", v } end
  if t == "number" then
    if v ~= v or v == huge or v == -huge then return { "i", 0 } end
    return { "i", v >= 0 and floor(v) or ceil(v) }
  end
  if t == "boolean" then
    if v then return { "i", 1 } end
    return { "n" }
  end
  if t == "table" then
    if type(v.err) == "string" then return { "e", v.err } end
    if type(v.ok) == "string" then return { "o", v.ok } end
    if depth > 64 then return { "e", "ERR reached lua stack limit" } end
    local out, i = {}, 1
    while v[i] ~= nil do
      out[i] = encode(v[i], depth + 1)
      i = i + 1
    end
    return { "a", out }
  end
  return { "n" }
end

local redis_meta = { __index = redis }
local globals_meta = { __index = globals }

return function(script, keys, argv)
  -- A fresh global table per run: what one script defines, the next cannot see.
  local env = setmetatable({ KEYS = keys, ARGV = argv, redis = setmetatable({}, redis_meta) }, globals_meta)
  env._G = env
  setupvalue(script, 1, env)
  local ok, result = pcall(script)
  if not ok then
    if type(result) == "table" and type(result.err) == "string" then return { "e", result.err } end
    return { "e", "ERR " .. message(result) }
  end
  return encode(result, 0)
end
`;

/** Redis 7 names a script's chunk `user_script`, so errors read `user_script:1: …`. */
const CHUNK_NAME = to_luastring("@user_script");
const TEXT_ONLY = to_luastring("t");
/** Compiled scripts kept per engine; the least recently run is dropped beyond this. */
const MAX_COMPILED = 500;

/**
 * Runs one command for `redis.call` synchronously and returns the mock's reply.
 * @throws Error whose message becomes the Lua error reply
 */
export type ScriptCommand = (name: string, args: string[]) => unknown;

export interface LuaRunner {
  /** Runs `source` (already shebang-free) with these KEYS and ARGV. */
  run(source: string, keys: string[], argv: string[]): Outcome;
  close(): void;
}

export function createLuaRunner(callCommand: ScriptCommand): LuaRunner {
  const L = lauxlib.luaL_newstate();
  lualib.luaL_openlibs(L);
  // A JavaScript exception inside the VM becomes an ordinary Lua error.
  lua.lua_atnativeerror(L, (state) => {
    const error = lua.lua_touserdata(state, -1);
    lua.lua_pushstring(state, error instanceof Error ? error.message : String(error));
    return 1;
  });

  function bridge(state: LuaState): number {
    const count = lua.lua_gettop(state);
    const args: string[] = [];
    for (let i = 1; i <= count; i++) {
      const type = lua.lua_type(state, i);
      if (type === lua.LUA_TSTRING) args.push(lua.lua_tojsstring(state, i));
      else if (type === lua.LUA_TNUMBER) args.push(String(lua.lua_tonumber(state, i)));
      else return fail(state, "ERR Lua redis lib command arguments must be strings or integers");
    }
    if (args.length === 0) return fail(state, "ERR Please specify at least one argument for this redis lib call");
    let reply: unknown;
    try {
      reply = callCommand(args[0]!, args.slice(1));
    } catch (error) {
      return fail(state, error instanceof Error ? error.message : String(error));
    }
    lua.lua_pushboolean(state, true);
    pushReply(state, reply);
    return 2;
  }

  if (load(L, to_luastring(PRELUDE)) !== null) throw new Error("the Lua prelude does not compile");
  lua.lua_pushjsfunction(L, bridge);
  if (lua.lua_pcall(L, 1, 1, 0) !== lua.LUA_OK) throw new Error(`the Lua prelude failed: ${lua.lua_tojsstring(L, -1)}`);
  const runRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);

  /** SHA-1 of the source → registry reference of its compiled chunk; insertion order = recency. */
  const compiled = new Map<string, number>();

  /** Registry reference of the compiled script, or the compiler's message. */
  function compile(source: string): number | string {
    const sha = sha1Hex(source);
    const cached = compiled.get(sha);
    if (cached !== undefined) {
      compiled.delete(sha);
      compiled.set(sha, cached);
      return cached;
    }
    const failure = load(L, to_luastring(source));
    if (failure !== null) return failure;
    const ref = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    compiled.set(sha, ref);
    if (compiled.size > MAX_COMPILED) {
      const [oldest, oldRef] = compiled.entries().next().value!;
      compiled.delete(oldest);
      lauxlib.luaL_unref(L, lua.LUA_REGISTRYINDEX, oldRef);
    }
    return ref;
  }

  return {
    run(source, keys, argv) {
      const script = compile(source);
      if (typeof script === "string") return { error: `ERR Error compiling script (new function): ${script}` };
      const base = lua.lua_gettop(L);
      try {
        lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, runRef);
        lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, script);
        pushStrings(L, keys);
        pushStrings(L, argv);
        if (lua.lua_pcall(L, 3, 1, 0) !== lua.LUA_OK) return { error: `ERR ${lua.lua_tojsstring(L, -1)}` };
        return decodeLuaReply(readTagged(L, lua.lua_gettop(L)));
      } finally {
        lua.lua_settop(L, base);
      }
    },
    close() {
      compiled.clear();
      lua.lua_close(L);
    },
  };
}

/** Compiles `source` onto the stack; returns null, or the error (popped). */
function load(L: LuaState, source: Uint8Array): string | null {
  if (lauxlib.luaL_loadbufferx(L, source, source.length, CHUNK_NAME, TEXT_ONLY) === lua.LUA_OK) return null;
  const message = lua.lua_tojsstring(L, -1);
  lua.lua_pop(L, 1);
  return message;
}

function fail(L: LuaState, message: string): number {
  lua.lua_pushboolean(L, false);
  lua.lua_pushstring(L, message);
  return 2;
}

function pushStrings(L: LuaState, values: string[]): void {
  lua.lua_createtable(L, values.length, 0);
  values.forEach((value, i) => {
    lua.lua_pushstring(L, value);
    lua.lua_rawseti(L, -2, i + 1);
  });
}

/** Pushes a mock reply as Redis hands it to Lua: nil → false, arrays → tables. */
function pushReply(L: LuaState, value: unknown): void {
  if (value === null || value === undefined) lua.lua_pushboolean(L, false);
  else if (typeof value === "string") lua.lua_pushstring(L, value);
  else if (typeof value === "number") {
    // fengari's integers are 32-bit; larger whole numbers stay floats.
    if ((value | 0) === value) lua.lua_pushinteger(L, value);
    else lua.lua_pushnumber(L, value);
  } else if (typeof value === "boolean") lua.lua_pushinteger(L, value ? 1 : 0);
  else if (value instanceof Uint8Array) lua.lua_pushstring(L, Uint8Array.from(value));
  else if (Array.isArray(value)) pushArray(L, value);
  else if (value instanceof Map) pushArray(L, [...value.entries()].flat());
  // HGETALL answers with an object: field, value, field, value…
  else if (typeof value === "object") pushArray(L, Object.entries(value).flat());
  else lua.lua_pushstring(L, String(value));
}

function pushArray(L: LuaState, values: unknown[]): void {
  if (!lua.lua_checkstack(L, 2)) throw new Error("ERR reply too deeply nested");
  lua.lua_createtable(L, values.length, 0);
  values.forEach((value, i) => {
    pushReply(L, value);
    lua.lua_rawseti(L, -2, i + 1);
  });
}

type Tagged = [string, unknown?];

/** Reads the prelude's `{tag, value}` tree at absolute stack `index` into JavaScript. */
function readTagged(L: LuaState, index: number): Tagged {
  if (lua.lua_type(L, index) !== lua.LUA_TTABLE) return ["n"];
  if (!lua.lua_checkstack(L, 3)) return ["e", "ERR reached lua stack limit"];
  lua.lua_rawgeti(L, index, 1);
  const tag = lua.lua_tojsstring(L, -1) ?? "n";
  lua.lua_pop(L, 1);
  lua.lua_rawgeti(L, index, 2);
  const at = lua.lua_gettop(L);
  let value: unknown;
  const type = lua.lua_type(L, at);
  if (type === lua.LUA_TSTRING) value = lua.lua_tojsstring(L, at);
  else if (type === lua.LUA_TNUMBER) value = lua.lua_tonumber(L, at);
  else if (type === lua.LUA_TTABLE) {
    const children: Tagged[] = [];
    const length = lua.lua_rawlen(L, at);
    for (let i = 1; i <= length; i++) {
      lua.lua_rawgeti(L, at, i);
      children.push(readTagged(L, lua.lua_gettop(L)));
      lua.lua_pop(L, 1);
    }
    value = children;
  }
  lua.lua_pop(L, 1);
  return value === undefined ? [tag] : [tag, value];
}

function decode(node: Tagged, top: boolean): Outcome {
  const [tag, value] = node;
  switch (tag) {
    case "s":
    case "o":
      return { result: String(value) };
    case "i":
      return { result: Math.trunc(Number(value)) };
    case "e": {
      const message = String(value);
      // Redis prefixes a bare error_reply text with ERR only at the top level.
      if (top) return { error: /^[A-Z]+ /.test(message) ? message : `ERR ${message}` };
      return { result: message };
    }
    case "a":
      return {
        result: (Array.isArray(value) ? (value as Tagged[]) : []).map((child) => {
          const outcome = decode(child, false);
          return "result" in outcome ? outcome.result : outcome.error;
        }) as Reply[],
      };
    default:
      return { result: null };
  }
}

/** Turns the tagged tree returned by the prelude back into a Redis reply. */
function decodeLuaReply(raw: unknown): Outcome {
  if (!Array.isArray(raw) || typeof raw[0] !== "string") return { result: null };
  return decode(raw as Tagged, true);
}
