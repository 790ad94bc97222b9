import { isNoScript, type ScriptClient } from "./redis-scripts";

/** Runs one Lua script: `(keys, args) => reply`. */
export type LuaScript = (keys: string[], args: string[]) => Promise<unknown>;

/**
 * A script this client sends whole (EVAL, which also loads it) until one call
 * has succeeded, then by its SHA (EVALSHA), and whole again after a NOSCRIPT.
 *
 * EVALSHA first, as the SDK's `script.exec` does, costs a fresh instance a
 * NOSCRIPT round trip per script whenever Redis doesn't know it yet: the first
 * delivery took four round trips instead of two. EVAL first never takes more
 * than one, for a few hundred bytes more once per script and instance.
 */
export function luaScript(redis: ScriptClient, source: string): LuaScript {
  const script = redis.createScript(source);
  let loaded = false;
  return async (keys, args) => {
    if (loaded) {
      try {
        return await script.evalsha(keys, args);
      } catch (error) {
        if (!isNoScript(error)) throw error;
        loaded = false;
      }
    }
    const reply = await script.eval(keys, args);
    loaded = true;
    return reply;
  };
}
