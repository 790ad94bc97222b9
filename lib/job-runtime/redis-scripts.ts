import { decodeBase64 } from "./base64";
import { ConfigError } from "./errors";

/**
 * What the job route needs from Redis: its Lua scripts, run by SHA. `@upstash/redis`'s
 * `Redis` fits this shape too, so tests and tools may pass the full client.
 */
export interface ScriptClient {
  createScript(source: string): RedisScript;
}

/** The calls of `@upstash/redis`'s `Script` the runtime uses (see lua-script.ts for which it sends when). */
export interface RedisScript {
  /** EVAL: sends the source, which also loads it into Redis's script cache. */
  eval(keys: string[], args: string[]): Promise<unknown>;
  /** EVALSHA: runs a script Redis already has; fails with NOSCRIPT when it does not. */
  evalsha(keys: string[], args: string[]): Promise<unknown>;
  /** EVALSHA, and EVAL when Redis answers NOSCRIPT. */
  exec(keys: string[], args: string[]): Promise<unknown>;
}

/** The client `createRedisScripts` returns: scripts, and the single command they are sent with. */
export interface RedisScriptsClient extends ScriptClient {
  /** One command (`["set", "k", "v", "nx", "px", 1000]`), answered as the official client decodes it. */
  command(args: Array<string | number>): Promise<unknown>;
}

export interface RedisScriptsConfig {
  /** `UPSTASH_REDIS_REST_URL`. */
  url: string | undefined;
  /** `UPSTASH_REDIS_REST_TOKEN`. */
  token: string | undefined;
  /** Retries after a request that never got an answer (connection refused or reset). @default 5 */
  retries?: number;
  /** Milliseconds before retry `n` (0-based). @default Upstash's `exp(n) * 50` */
  backoff?(retry: number): number;
  fetch?: typeof fetch;
}

/** The errors `@upstash/redis` throws, by the same names, so logs read the same whichever client ran. */
export class UpstashError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class UpstashJSONParseError extends UpstashError {
  constructor(body: string, options?: { cause?: unknown }) {
    super(`Unable to parse response body: ${body.length > 200 ? `${body.slice(0, 200)}...` : body}`, options);
  }
}

/**
 * A Redis REST client for the job route's scripts and nothing else. The full
 * `@upstash/redis` client puts every command on its class (about 75 KiB that no
 * bundler can leave out), and a cold delivery only ever runs two scripts.
 * On the wire it is the official client with telemetry off: one command per POST
 * to the base URL, `authorization: Bearer`, base64 replies, the read-your-writes
 * `upstash-sync-token` carried from each answer to the next request, the same
 * retries when the request never got an answer, and the same error messages.
 */
export function createRedisScripts(config: RedisScriptsConfig): RedisScriptsClient {
  const url = config.url?.replace(/\/$/, "");
  const missing = [!url && "UPSTASH_REDIS_REST_URL", !config.token && "UPSTASH_REDIS_REST_TOKEN"].filter((name): name is string =>
    Boolean(name),
  );
  if (!url || missing.length > 0) throw new ConfigError(`Redis is not configured: set ${missing.join(" and ")}`, missing);
  const token = config.token;
  const retries = config.retries ?? 5;
  const backoff = config.backoff ?? ((retry: number) => Math.exp(retry) * 50);
  const send = config.fetch ?? fetch;
  let syncToken = "";

  async function command(body: Array<string | number>): Promise<unknown> {
    const init: RequestInit = {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        authorization: `Bearer ${token}`,
        "Upstash-Encoding": "base64",
        "upstash-sync-token": syncToken,
      },
      body: JSON.stringify(body),
      keepalive: true,
    };
    let response: Response | undefined;
    let failure: unknown;
    for (let attempt = 0; attempt <= retries && !response; attempt++) {
      try {
        response = await send(url!, init);
      } catch (error) {
        failure = error;
        if (attempt < retries) await new Promise((resolve) => setTimeout(resolve, backoff(attempt)));
      }
    }
    if (!response) throw failure ?? new Error("Exhausted all retries");
    const text = await response.text();
    let reply: { result?: unknown; error?: string };
    try {
      reply = JSON.parse(text);
    } catch (error) {
      throw new UpstashJSONParseError(text, { cause: error });
    }
    if (!response.ok) throw new UpstashError(`${reply.error}, command was: ${JSON.stringify(body)}`);
    syncToken = response.headers.get("upstash-sync-token") ?? "";
    if (reply.error) throw new UpstashError(reply.error);
    if (reply.result === undefined) throw new TypeError("Request did not return a result");
    return decode(reply.result);
  }

  return {
    command,
    createScript(source) {
      // Hashed on the first EVALSHA, not here: the runtime sends a script whole first (lua-script.ts),
      // so a cold delivery never needs the hash.
      let sha: Promise<string> | undefined;
      const script: RedisScript = {
        eval: (keys, args) => command(["eval", source, keys.length, ...keys, ...args]),
        evalsha: async (keys, args) => command(["evalsha", await (sha ??= sha1Hex(source)), keys.length, ...keys, ...args]),
        async exec(keys, args) {
          try {
            return await script.evalsha(keys, args);
          } catch (error) {
            if (!isNoScript(error)) throw error;
            return script.eval(keys, args);
          }
        },
      };
      return script;
    },
  };
}

/** Redis's answer to EVALSHA for a script it doesn't have (never loaded, or its cache was flushed). */
export function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.toLowerCase().includes("noscript");
}

async function sha1Hex(source: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-1", new TextEncoder().encode(source));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** Undoes `Upstash-Encoding: base64` as the official client does: strings (but "OK") and arrays of them, recursively. */
function decode(raw: unknown): unknown {
  if (typeof raw === "string") return raw === "OK" ? raw : decodeBase64(raw);
  if (Array.isArray(raw)) {
    return raw.map((item) => (typeof item === "string" ? decodeBase64(item) : Array.isArray(item) ? item.map(decode) : item));
  }
  return typeof raw === "number" ? raw : null;
}

