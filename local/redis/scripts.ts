import { createHash } from "node:crypto";
import type { Command, Engine, Outcome } from "./engine";

/**
 * EVAL/EVALSHA/SCRIPT handling shared by both engines.
 *
 * `@upstash/ratelimit` scripts start with `#!lua flags=allow-key-locking`, a flag
 * only Upstash knows: Redis 7 rejects it and Redis 6 (and the embedded Lua VM)
 * reads `#!` as a syntax error. So the shebang line is removed before a script
 * runs, while the SHA-1 the client computed over the original text stays the key
 * `EVALSHA` uses.
 */

function sha1Hex(text: string): string {
  return createHash("sha1").update(text, "utf8").digest("hex");
}

/** Drops a leading `#!...` line, keeping its newline so error line numbers still match. */
function stripShebang(source: string): string {
  if (!source.startsWith("#!")) return source;
  const end = source.indexOf("\n");
  return end === -1 ? "" : source.slice(end);
}

/** Original-text SHA-1 → runnable (shebang-free) source. */
export class ScriptCache {
  readonly #bySha = new Map<string, string>();

  load(source: string): string {
    const sha = sha1Hex(source);
    this.#bySha.set(sha, stripShebang(source));
    return sha;
  }

  get(sha: string): string | undefined {
    return this.#bySha.get(sha.toLowerCase());
  }

  clear(): void {
    this.#bySha.clear();
  }
}

const NOSCRIPT = "NOSCRIPT No matching script. Please use EVAL.";

type Step = { local: Outcome } | { send: Command };

export interface ScriptOptions {
  /** Send EVALSHA for an unknown SHA on to the engine (a real Redis may know it). */
  forwardUnknownSha: boolean;
}

/** Wraps `engine` so scripts are cached and run shebang-free. */
export function withScripts(engine: Engine, cache: ScriptCache, options: ScriptOptions): Engine {
  function plan(command: Command): Step {
    const name = (command[0] ?? "").toLowerCase();
    const [, first, ...rest] = command;
    if ((name === "eval" || name === "eval_ro") && first !== undefined) {
      cache.load(first);
      return { send: [name, stripShebang(first), ...rest] };
    }
    if ((name === "evalsha" || name === "evalsha_ro") && first !== undefined) {
      const source = cache.get(first);
      if (source !== undefined) return { send: [name === "evalsha" ? "eval" : "eval_ro", source, ...rest] };
      return options.forwardUnknownSha ? { send: command } : { local: { error: NOSCRIPT } };
    }
    if (name === "script" && first !== undefined) {
      const sub = first.toLowerCase();
      if (sub === "load" && rest.length === 1) return { local: { result: cache.load(rest[0]!) } };
      if (sub === "exists" && rest.length > 0) {
        return { local: { result: rest.map((sha) => (cache.get(sha) === undefined ? 0 : 1)) } };
      }
      if (sub === "flush") {
        cache.clear();
        return options.forwardUnknownSha ? { send: command } : { local: { result: "OK" } };
      }
    }
    return { send: command };
  }

  return {
    async exec(commands, atomic) {
      const steps = commands.map(plan);
      const toSend = steps.flatMap((step) => ("send" in step ? [step.send] : []));
      const sent = toSend.length > 0 ? await engine.exec(toSend, atomic) : [];
      let next = 0;
      return steps.map((step) => {
        if ("local" in step) return step.local;
        return sent[next++]!;
      });
    },
    subscribe: (targets, pattern, listener) => engine.subscribe(targets, pattern, listener),
    flush: () => engine.flush(),
    close: () => engine.close(),
  };
}
