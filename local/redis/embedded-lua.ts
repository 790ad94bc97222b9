import type { Outcome, Reply } from "./engine";

/**
 * Glue between Redis Lua semantics and ioredis-mock's fengari VM.
 *
 * ioredis-mock hands `redis.call` results to Lua as JavaScript proxies: a nil
 * inside an array (HMGET of a missing field) arrives as a truthy `null` object
 * instead of `false`, nested arrays are indexed from 0, numbers are floats, and
 * a returned table with holes, `{err=…}` or `{ok=…}` comes back as `undefined`.
 * `@upstash/ratelimit`'s token bucket tests `bucket[1] == false`, so those
 * differences change results. The prelude below converts replies into plain Lua
 * values the way Redis does, and the script's return value is sent back as a
 * tagged tree that survives the VM boundary and is decoded by `decodeLuaReply`.
 */
const PRELUDE = String.raw`
local __rawcall = redis.call
local function __length(v)
  local ok, n = pcall(function() return #v end)
  if ok then return math.tointeger(n) or n end
  return nil
end
local function __fromjs(v, base)
  local t = type(v)
  if t == "number" then return math.tointeger(v) or v end
  if t ~= "userdata" then return v end
  local n = __length(v)
  if n == nil then return false end
  local out = {}
  for i = 1, n do
    local e = __fromjs(v[i - 1 + base], 0)
    if e == nil then e = false end
    out[i] = e
  end
  return out
end
local function __message(e)
  if type(e) == "table" and type(e.err) == "string" then return e.err end
  local s = tostring(e)
  s = string.gsub(s, "^%a*Error: ", "")
  return s
end
redis.call = function(...)
  local ok, r = pcall(__rawcall, ...)
  if not ok then error({ err = __message(r) }, 0) end
  return __fromjs(r, 1)
end
redis.pcall = function(...)
  local ok, r = pcall(redis.call, ...)
  if ok then return r end
  return { err = __message(r) }
end
redis.error_reply = function(msg) return { err = msg } end
redis.status_reply = function(msg) return { ok = msg } end
redis.log = function() end
redis.setresp = function() end
redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE, redis.LOG_WARNING = 0, 1, 2, 3
local function __encode(v, depth)
  local t = type(v)
  if t == "string" then return { "s", v } end
  if t == "number" then
    local n = math.tointeger(v >= 0 and math.floor(v) or math.ceil(v))
    return { "i", n and string.format("%d", n) or "0" }
  end
  if t == "boolean" then
    if v then return { "i", "1" } end
    return { "n" }
  end
  if t == "table" then
    if type(v.err) == "string" then return { "e", v.err } end
    if type(v.ok) == "string" then return { "o", v.ok } end
    if depth > 64 then return { "e", "ERR reached lua stack limit" } end
    local out, i = {}, 1
    while v[i] ~= nil do
      out[i] = __encode(v[i], depth + 1)
      i = i + 1
    end
    -- A table built with a constructor crosses the VM boundary intact; one built
    -- by assignment does not, so rebuild it with table.unpack.
    return { "a", { table.unpack(out, 1, i - 1) } }
  end
  return { "n" }
end
`;

/** The script wrapped so it sees Redis-like `redis.*` and returns a tagged tree. */
export function wrapScript(source: string): string {
  return `${PRELUDE}
local __ok, __result = pcall(function()
${source}
end)
if not __ok then
  if type(__result) == "table" and type(__result.err) == "string" then return { "e", __result.err } end
  return { "e", "ERR user_script: " .. __message(__result) }
end
return __encode(__result, 0)
`;
}

type Tagged = [string, unknown?];

function decode(node: Tagged, top: boolean): Outcome {
  const [tag, value] = node;
  switch (tag) {
    case "s":
    case "o":
      return { result: String(value) };
    case "i":
      return { result: Number(value) };
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

/** Turns the tagged tree returned by a wrapped script back into a Redis reply. */
export function decodeLuaReply(raw: unknown): Outcome {
  if (!Array.isArray(raw) || typeof raw[0] !== "string") return { result: null };
  return decode(raw as Tagged, true);
}

/** Maps a compile error thrown by the VM to Redis's wording. */
export function luaErrorMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const detail = text.replace(/^Error trying to loading or executing lua code string in VM: /, "");
  return `ERR Error compiling script (new function): ${detail}`;
}
