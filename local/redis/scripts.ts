import { createHash } from "node:crypto";
import { TransactionAbortedError, type Command, type Engine, type Outcome } from "./engine";

/**
 * EVAL/EVALSHA/SCRIPT handling shared by both engines.
 *
 * `@upstash/ratelimit` scripts start with `#!lua flags=allow-key-locking`, a flag
 * only Upstash knows: Redis 7 rejects it and Redis 6 (and the embedded Lua VM)
 * reads `#!` as a syntax error. So the shebang line is removed before a script
 * runs, while the SHA-1 the client computed over the original text stays the key
 * `EVALSHA` uses.
 */

/** A script's SHA-1 as Redis keys it: lowercase hex over its UTF-8 text. */
export function sha1Hex(text: string): string {
  return createHash("sha1").update(text, "utf8").digest("hex");
}

/** Drops a leading `#!...` line, keeping its newline so error line numbers still match. */
function stripShebang(source: string): string {
  if (!source.startsWith("#!")) return source;
  const end = source.indexOf("\n");
  return end === -1 ? "" : source.slice(end);
}

/** A script as the engine runs it: shebang-free, and the SHA-1 a real Redis keys that text by. */
interface RunnableScript {
  source: string;
  sha: string;
}

/** Original-text SHA-1 → the runnable script. */
export class ScriptCache {
  readonly #bySha = new Map<string, RunnableScript>();

  /** Caches `source`; `sha` is the SHA-1 of the original text, the one the client uses. */
  load(source: string): { sha: string; runnable: RunnableScript } {
    const sha = sha1Hex(source);
    const stripped = stripShebang(source);
    // Only a shebang script runs under a SHA-1 other than the client's.
    const runnable = { source: stripped, sha: stripped === source ? sha : sha1Hex(stripped) };
    this.#bySha.set(sha, runnable);
    return { sha, runnable };
  }

  /** Drops a script the backend refused to compile: Redis keeps no such script either. */
  forget(sha: string): void {
    this.#bySha.delete(sha);
  }

  get(sha: string): RunnableScript | undefined {
    return this.#bySha.get(sha.toLowerCase());
  }

  clear(): void {
    this.#bySha.clear();
  }
}

const NOSCRIPT = "NOSCRIPT No matching script. Please use EVAL.";
/** How Redis (and the embedded engine) begins the error for a script that does not compile. */
const COMPILE_ERROR = "ERR Error compiling script";

/**
 * An EVALSHA's outcome: only a SCRIPT LOAD that failed earlier in the same batch leaves a
 * script in the cache that does not compile; Redis never held it, so its EVALSHA is NOSCRIPT.
 */
function unknownIfBroken(outcome: Outcome): Outcome {
  return "error" in outcome && outcome.error.startsWith(COMPILE_ERROR) ? { error: NOSCRIPT } : outcome;
}

/** `command` (an EVAL or EVALSHA) as `name` with `script` (a text or a SHA-1) second, its keys and arguments as they are. */
function withScript(name: string, script: string, command: Command): Command {
  const sent = new Array<string>(command.length);
  sent[0] = name;
  sent[1] = script;
  for (let i = 2; i < command.length; i++) sent[i] = command[i]!;
  return sent;
}

/** What to send for one command, and how its outcome updates what the backend is known to hold. */
type Step = { local: Outcome | (() => Outcome) } | { send: Command; settle?: (outcome: Outcome) => Outcome };

export interface ScriptOptions {
  /**
   * The engine is a real Redis with a script cache of its own (the proxy): EVALSHA
   * for an unknown SHA, SCRIPT LOAD and SCRIPT FLUSH go on to it, and a script it is
   * known to hold goes by its SHA alone, as hosted Upstash receives it.
   */
  proxied: boolean;
}

/** Wraps `engine` so scripts are cached and run shebang-free. */
export function withScripts(engine: Engine, cache: ScriptCache, options: ScriptOptions): Engine {
  // Proxy only: SHA-1s of runnable texts the real Redis has compiled (an EVAL of it
  // succeeded, or a SCRIPT LOAD went through). The embedded engine gets the text every
  // time instead: it compiles each text once and looks it up by the string itself.
  const held = new Set<string>();
  const markHeld =
    (sha: string) =>
    (outcome: Outcome): Outcome => {
      if (!("error" in outcome)) held.add(sha);
      return outcome;
    };
  // A NOSCRIPT for a script the backend held means it lost its cache (a restart, a
  // SCRIPT FLUSH behind our back): it holds none of the others either. The client
  // gets the NOSCRIPT, as from a real Redis, and its SDK falls back to EVAL; re-sending
  // here instead would reorder the client's pipeline or transaction.
  const forgetOnNoScript = (outcome: Outcome): Outcome => {
    if ("error" in outcome && outcome.error.startsWith("NOSCRIPT")) held.clear();
    return outcome;
  };

  // A script that does not compile is not kept, by Redis or here: a later EVALSHA says
  // NOSCRIPT and SCRIPT EXISTS says 0. (Commands later in the same batch were planned
  // before it ran: their outcomes are corrected as they settle, in order.)
  const forgetIfBroken =
    (sha: string, then?: (outcome: Outcome) => Outcome) =>
    (outcome: Outcome): Outcome => {
      if ("error" in outcome && outcome.error.startsWith(COMPILE_ERROR)) cache.forget(sha);
      return then ? then(outcome) : outcome;
    };

  function plan(command: Command): Step {
    const name = (command[0] ?? "").toLowerCase();
    const first = command[1];
    if ((name === "eval" || name === "eval_ro") && first !== undefined) {
      const { sha, runnable } = cache.load(first);
      const send = withScript(name, runnable.source, command);
      return { send, settle: forgetIfBroken(sha, options.proxied ? markHeld(runnable.sha) : undefined) };
    }
    if ((name === "evalsha" || name === "evalsha_ro") && first !== undefined) {
      const runnable = cache.get(first);
      if (runnable === undefined) return options.proxied ? { send: command } : { local: { error: NOSCRIPT } };
      if (options.proxied && held.has(runnable.sha))
        return { send: withScript(name, runnable.sha, command), settle: forgetOnNoScript };
      const send = withScript(name === "evalsha" ? "eval" : "eval_ro", runnable.source, command);
      return {
        send,
        settle: options.proxied ? (outcome) => unknownIfBroken(markHeld(runnable.sha)(outcome)) : unknownIfBroken,
      };
    }
    if (name === "script" && first !== undefined) {
      const sub = first.toLowerCase();
      const rest = command.slice(2);
      if (sub === "load" && rest.length === 1) {
        const { sha, runnable } = cache.load(rest[0]!);
        // The backend compiles it (so a broken script fails here, as on Redis) and answers
        // the runnable text's SHA-1; the client asked about the original text's.
        const loaded = options.proxied ? markHeld(runnable.sha) : (outcome: Outcome) => outcome;
        return {
          send: ["script", "load", runnable.source],
          settle: (outcome) => {
            if (!("error" in loaded(outcome))) return { result: sha };
            cache.forget(sha);
            return outcome;
          },
        };
      }
      if (sub === "exists" && rest.length > 0) {
        // Answered in order with the batch's outcomes, after a failed load before it was forgotten.
        return { local: () => ({ result: rest.map((sha) => (cache.get(sha) === undefined ? 0 : 1)) }) };
      }
      if (sub === "flush") {
        cache.clear();
        held.clear();
        return options.proxied ? { send: command } : { local: { result: "OK" } };
      }
    }
    return { send: command };
  }

  return {
    async exec(commands, atomic) {
      const steps = commands.map(plan);
      const toSend = steps.flatMap((step) => ("send" in step ? [step.send] : []));
      let sent: Outcome[] = [];
      try {
        sent = toSend.length > 0 ? await engine.exec(toSend, atomic) : [];
      } catch (error) {
        // Redis 7 checks an EVALSHA's SHA when the transaction runs, not when it is
        // queued; should a Redis abort the whole MULTI over one instead, the next
        // transaction must not send the same SHA again.
        if (
          error instanceof TransactionAbortedError &&
          steps.some((step) => "settle" in step && step.settle === forgetOnNoScript)
        )
          held.clear();
        throw error;
      }
      let next = 0;
      return steps.map((step) => {
        if ("local" in step) return typeof step.local === "function" ? step.local() : step.local;
        const outcome = sent[next++]!;
        return step.settle ? step.settle(outcome) : outcome;
      });
    },
    subscribe: (targets, pattern, listener) => engine.subscribe(targets, pattern, listener),
    flush: () => engine.flush(),
    close: () => engine.close(),
  };
}
