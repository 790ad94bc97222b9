import { randomUUID } from "node:crypto";
import RedisMock from "ioredis-mock";
import { OWN_COMMANDS } from "./commands/index";
import { RedisError, typeOf, type CommandContext, type CommandImpl } from "./commands/context";
import {
  argumentError,
  arityError,
  commandArity,
  commandKeys,
  dataError,
  isKnownCommand,
  isWriteCommand,
  normalizeKeywords,
  staticError,
  WRONGTYPE,
  type DataView as ValueView,
} from "./embedded-checks";
import { createLuaRunner, type LuaRunner } from "./embedded-lua";
import { Keyspace } from "./keyspace";
import { sha1Hex } from "./scripts";
import { PubSubHub } from "./pubsub";
import { KeyspaceSnapshot } from "./snapshot";
import { refuseCommand, TransactionAbortedError, type Command, type Engine, type Outcome, type Reply } from "./engine";

/**
 * In-memory Redis on ioredis-mock. Every batch runs under one lock, so a
 * `/multi-exec` is atomic and a pipeline is not interleaved with other requests.
 * Expiry follows the process clock (`Date.now()`), like the mock itself.
 */
export interface EmbeddedEngineOptions {
  /** Keep the data in this JSON file across restarts; null or absent keeps it in memory only. */
  dataFile?: string | null;
}

export function createEmbeddedEngine(options: EmbeddedEngineOptions = {}): Engine {
  // ioredis-mock shares data between instances with the same host:port/db, so
  // give each engine its own address and keep servers in one process apart.
  const mock = new RedisMock({ host: `embedded-${randomUUID()}`, port: 6379 }) as unknown as Record<string, unknown>;
  // The data lives in a Keyspace of our own, which hands out stored values
  // without the copies ioredis-mock's store makes on every access.
  const ks = new Keyspace();
  const snapshot = options.dataFile ? new KeyspaceSnapshot(options.dataFile, ks) : null;
  snapshot?.load();
  mock.data = ks.mockData();
  mock.expires = ks.mockExpires();
  const mockCommands = syncCommands(mock);
  const hub = new PubSubHub();
  const context: CommandContext = {
    ks,
    mock: (name, ...args) => mockCommands.get(name)!(...args),
    publish: (channel, message) => hub.publish(channel, message),
  };
  const commands = new Map<string, SyncCommand>(mockCommands);
  for (const [name, implementation] of OWN_COMMANDS) commands.set(name, (...args) => implementation(context, args));

  /** Set while an EVAL_RO or EVALSHA_RO script runs. */
  let readOnlyScript = false;
  // The Lua VM starts in the background; the first script waits for it.
  const lua = createLuaRunner((name, args) => {
    const lower = name.toLowerCase();
    const target = scriptTarget(lower);
    if (target.refusal !== null) throw new RedisError(target.refusal);
    if (readOnlyScript && target.write) throw new RedisError("ERR Write commands are not allowed from read-only scripts.");
    // A script must meet the same checks (WRONGTYPE, integers) as a command sent alone:
    // redis.call raises what Redis would answer, redis.pcall hands it back.
    const refused = target.arity !== undefined ? arityError(lower, args.length + 1, target.arity) : staticError([lower, ...args]);
    if (refused) throw new RedisError(refused);
    let reply: unknown;
    try {
      // The engine's own commands take the arguments as they are; the mock's go behind its checks.
      reply = target.own ? target.own(context, args) : runChecked([lower, ...args]);
    } catch (error) {
      throw new RedisError(errorText(error, lower));
    }
    // A script cannot wait: better a clear error than a promise passed off as an empty reply.
    if (reply instanceof Promise) {
      reply.catch(() => undefined);
      throw new RedisError(`ERR '${lower}' cannot be called from a script on the embedded engine; use a real Redis (REDIS_URL)`);
    }
    return reply;
  });
  /** Set once the VM is up, so a script needs no extra await to reach it. */
  let runner: LuaRunner | undefined;
  // Until a script runs, nobody awaits it: a failure to start still reaches that script, not the process.
  lua.then(
    (started) => {
      runner = started;
    },
    () => undefined,
  );

  /**
   * What `redis.call` needs to know about a command, worked out once per name rather than
   * on every call: a script runs the same few commands over and over.
   */
  interface ScriptTarget {
    /** Why a script may not run it at all, else null. */
    refusal: string | null;
    write: boolean;
    /** Its arity in Redis's command table; undefined if that table lacks it (then `staticError` words the refusal). */
    arity: number | undefined;
    /** The engine's own implementation, called without the name; else the mock's, behind `runChecked`. */
    own: CommandImpl | undefined;
  }
  const scriptTargets = new Map<string, ScriptTarget>();
  function scriptTarget(lower: string): ScriptTarget {
    let target = scriptTargets.get(lower);
    if (target === undefined) {
      const refusal =
        NOT_IN_SCRIPTS.has(lower) || refuseCommand([lower])
          ? "ERR This Redis command is not allowed from script"
          : commands.has(lower)
            ? null
            : "ERR Unknown Redis command called from script";
      target = { refusal, write: isWriteCommand(lower), arity: commandArity(lower), own: OWN_COMMANDS.get(lower) };
      // Only names the engine has are kept, so a script calling made-up names cannot grow this.
      if (refusal === null) scriptTargets.set(lower, target);
    }
    return target;
  }
  const data: ValueView = {
    type: (key) => typeOf(ks.get(key)),
    get: (key) => {
      const value = ks.get(key);
      return typeof value === "string" ? value : Buffer.isBuffer(value) ? value.toString("utf8") : null;
    },
    hget: (key, field) => {
      const value = ks.get(key) as Record<string, string> | undefined;
      return value && Object.hasOwn(value, field) ? value[field]! : null;
    },
  };

  let tail: Promise<unknown> = Promise.resolve();
  function exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = tail.then(task);
    tail = run.catch(() => undefined);
    return run;
  }

  async function runOne(raw: Command): Promise<Outcome> {
    const refused = refuseCommand(raw) ?? staticOutcome(raw);
    if (refused) return refused;
    const name = raw[0]!.toLowerCase();
    try {
      if (name === "eval" || name === "eval_ro") return await runScript(raw, name === "eval_ro");
      if (name === "evalsha" || name === "evalsha_ro") {
        return { error: "NOSCRIPT No matching script. Please use EVAL." };
      }
      if (name === "script") {
        // SCRIPT LOAD reaches here only from the script layer, with the runnable (shebang-free) text.
        if (raw[1]?.toLowerCase() === "load" && raw.length === 3) return await loadScript(raw[2]!);
        return { error: `ERR unknown subcommand '${raw[1]}'. Try SCRIPT HELP.` };
      }
      // A few of the mock's commands (INFO, COMMAND, LOLWUT) answer with a promise.
      return { result: toReply(await runChecked([name, ...raw.slice(1)])) };
    } catch (error) {
      return { error: errorText(error, name) };
    }
  }

  /**
   * Runs one command (name lowercased, arity already checked) on the engine's own
   * implementation, or on the mock's behind the checks it skips. Synchronous, so
   * `redis.call` inside a script goes through exactly the same path.
   * @throws RedisError (or the mock's own error) with what Redis would answer
   */
  function runChecked(raw: Command): unknown {
    const name = raw[0]!;
    const own = OWN_COMMANDS.get(name);
    if (own) return own(context, raw.slice(1));
    const command = normalizeKeywords(raw);
    const invalid = argumentError(command) ?? dataError(command, data);
    if (invalid) throw new RedisError(invalid);
    const implementation = mockCommands.get(name);
    if (!implementation) throw new RedisError(unsupported(name));
    const result = implementation(...command.slice(1));
    if (isWriteCommand(name)) dropEmptyCollections(command, ks);
    return result;
  }

  /** `command` is `EVAL script numkeys key… arg…` (arity already checked). */
  async function runScript(command: Command, readOnly: boolean): Promise<Outcome> {
    const numKeysText = command[2]!;
    const numKeys = Number(numKeysText);
    if (!/^-?\d+$/.test(numKeysText)) return { error: "ERR value is not an integer or out of range" };
    if (numKeys < 0) return { error: "ERR Number of keys can't be negative" };
    if (numKeys > command.length - 3) return { error: "ERR Number of keys can't be greater than number of args" };
    const vm = runner ?? (await lua);
    readOnlyScript = readOnly;
    try {
      return vm.run(command[1]!, command.slice(3, 3 + numKeys), command.slice(3 + numKeys));
    } finally {
      readOnlyScript = false;
    }
  }

  /** SCRIPT LOAD: compiles now, so a broken script fails here as on redis-server, and its first run compiles nothing. */
  async function loadScript(source: string): Promise<Outcome> {
    const failure = (await lua).compile(source);
    return failure === null ? { result: sha1Hex(source) } : { error: failure };
  }

  return {
    exec(commands, atomic) {
      return exclusive(async () => {
        // Redis rejects the whole MULTI when a queued command is malformed.
        if (atomic && commands.some((command) => staticError(command) !== null)) {
          throw new TransactionAbortedError();
        }
        const outcomes: Outcome[] = [];
        for (const command of commands) outcomes.push(await runOne(command));
        if (snapshot && commands.some(mayWrite)) snapshot.schedule();
        return outcomes;
      });
    },
    async subscribe(targets, pattern, listener) {
      return hub.subscribe(targets, pattern, listener);
    },
    flush: () =>
      exclusive(async () => {
        ks.clear();
        snapshot?.schedule();
      }),
    close: () =>
      exclusive(async () => {
        snapshot?.flush();
        ks.clear();
        (mock.disconnect as () => void)();
        (await lua.catch(() => null))?.close();
      }),
  };
}

/**
 * The commands the embedded engine answers, by who implements them: its own
 * (`commands/`) or ioredis-mock. For the backend-support table in the README.
 */
export function embeddedCommandNames(): { own: string[]; mock: string[] } {
  const mock = new RedisMock({ host: `names-${randomUUID()}`, port: 6379 }) as unknown as Record<string, unknown>;
  const fromMock = [...syncCommands(mock).keys()].filter((name) => isKnownCommand(name) && !OWN_COMMANDS.has(name));
  (mock.disconnect as () => void)();
  return { own: [...OWN_COMMANDS.keys()].sort(), mock: fromMock.sort() };
}

/** Whether a command can change data, so the snapshot needs writing (scripts always might). */
function mayWrite(command: Command): boolean {
  const name = (command[0] ?? "").toLowerCase();
  return isWriteCommand(name) || name.startsWith("eval") || name === "fcall";
}

/** Scripts may not run scripts (the mock's EVAL would also answer asynchronously). */
const NOT_IN_SCRIPTS = new Set(["eval", "evalsha", "eval_ro", "evalsha_ro", "evaluate", "script"]);

type SyncCommand = (...args: string[]) => unknown;

/**
 * The mock's command implementations, bound to `mock` and called synchronously,
 * as its own Lua bridge does: its public methods all return promises, which a
 * running Lua script cannot wait for. The exported `Pipeline` class hands every
 * implementation to `_createCommand` while it is constructed; a subclass keeps
 * them instead of queueing anything.
 */
function syncCommands(mock: object): Map<string, SyncCommand> {
  const table = new Map<string, SyncCommand>();
  const { Pipeline } = RedisMock as unknown as { Pipeline: new (redis: object) => object };
  class CommandTable extends Pipeline {
    _createCommand(name: string, implementation: SyncCommand): () => void {
      table.set(name, implementation.bind(mock));
      return () => undefined;
    }
  }
  new CommandTable(mock);
  if (!table.has("get"))
    throw new Error("ioredis-mock no longer exposes its commands through Pipeline; local/redis needs updating");
  return table;
}

/**
 * Redis deletes a list, set, sorted set or hash when its last element goes; some
 * of ioredis-mock's commands (LTRIM, SMOVE, SPOP…) leave an empty one behind,
 * which EXISTS, TYPE and SCAN would then report.
 */
function dropEmptyCollections(command: Command, ks: Keyspace): void {
  for (const key of commandKeys(command)) {
    const value = ks.values.get(key);
    if (value === undefined || typeof value === "string" || Buffer.isBuffer(value)) continue;
    // Hashes are left out: their only shrinking command on the mock (HDEL) already
    // deletes an empty one, and counting an object's fields costs O(fields).
    const empty = Array.isArray(value)
      ? value.length === 0
      : value instanceof Set || value instanceof Map
        ? value.size === 0
        : false;
    if (empty) ks.delete(key);
  }
}

function staticOutcome(command: Command): Outcome | null {
  const error = staticError(command);
  return error === null ? null : { error };
}

function unsupported(name: string): string {
  return `ERR unknown command '${name}' (the embedded engine does not implement it; install redis-server, which npm run dev then starts, or set REDIS_URL to use a real Redis)`;
}

function errorText(error: unknown, name: string): string {
  if (error instanceof RedisError) return error.message;
  if (error instanceof TypeError && error.message.startsWith("Unsupported command")) return unsupported(name);
  const message = error instanceof Error ? error.message : String(error);
  if (/does not contain a|WRONGTYPE/.test(message)) return WRONGTYPE;
  return /^[A-Z]+ /.test(message) ? message : `ERR ${message}`;
}

/** Converts what the mock returns (objects for hashes, undefined) into a Redis reply. */
function toReply(value: unknown): Reply {
  if (value === undefined || value === null) return null;
  if (typeof value === "string" || typeof value === "number" || Buffer.isBuffer(value)) return value;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (Array.isArray(value)) return value.map(toReply);
  if (value instanceof Map) return [...value.entries()].flat().map(toReply);
  if (typeof value === "object") return Object.entries(value).flat().map(toReply);
  return String(value);
}
