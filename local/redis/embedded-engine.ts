import { randomUUID } from "node:crypto";
import RedisMock from "ioredis-mock";
import { argumentError, dataError, normalizeKeywords, staticError, WRONGTYPE, type DataView } from "./embedded-checks";
import { createLuaRunner } from "./embedded-lua";
import { refuseCommand, TransactionAbortedError, type Command, type Engine, type Outcome, type Reply } from "./engine";

type MockMethod = (...args: string[]) => Promise<unknown>;

/**
 * In-memory Redis on ioredis-mock. Every batch runs under one lock, so a
 * `/multi-exec` is atomic and a pipeline is not interleaved with other requests.
 * Expiry follows the process clock (`Date.now()`), like the mock itself.
 */
export function createEmbeddedEngine(): Engine {
  // ioredis-mock shares data between instances with the same host:port/db, so
  // give each engine its own address and keep servers in one process apart.
  const mock = new RedisMock({ host: `embedded-${randomUUID()}`, port: 6379 }) as unknown as Record<string, MockMethod>;
  const call = (name: string, ...args: string[]) => mock[name]!(...args);
  const commands = syncCommands(mock);
  const lua = createLuaRunner((name, args) => {
    const lower = name.toLowerCase();
    if (NOT_IN_SCRIPTS.has(lower) || refuseCommand([lower])) throw new Error("ERR This Redis command is not allowed from script");
    const command = commands.get(lower);
    if (!command) throw new Error("ERR Unknown Redis command called from script");
    return command(...args);
  });

  const data: DataView = {
    type: async (key) => String(await call("type", key)),
    get: async (key) => (await call("get", key)) as string | null,
    hget: async (key, field) => (await call("hget", key, field)) as string | null,
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
    const command = normalizeKeywords(raw);
    const name = command[0]!.toLowerCase();
    const args = command.slice(1);
    try {
      if (name === "eval" || name === "eval_ro") return await runScript(args);
      if (name === "evalsha" || name === "evalsha_ro") {
        return { error: "NOSCRIPT No matching script. Please use EVAL." };
      }
      if (name === "script") return { error: `ERR unknown subcommand '${args[0]}'. Try SCRIPT HELP.` };
      const invalid = argumentError(command) ?? (await dataError(command, data));
      if (invalid) return { error: invalid };
      if (typeof mock[name] !== "function") return { error: unsupported(name) };
      return { result: toReply(await call(name, ...args)) };
    } catch (error) {
      return { error: errorText(error, name) };
    }
  }

  async function runScript([source, numKeysText, ...rest]: string[]): Promise<Outcome> {
    const numKeys = Number(numKeysText);
    if (!/^-?\d+$/.test(numKeysText ?? "")) return { error: "ERR value is not an integer or out of range" };
    if (numKeys < 0) return { error: "ERR Number of keys can't be negative" };
    if (numKeys > rest.length) return { error: "ERR Number of keys can't be greater than number of args" };
    return lua.run(source ?? "", rest.slice(0, numKeys), rest.slice(numKeys));
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
        return outcomes;
      });
    },
    flush: () => exclusive(async () => void (await call("flushall"))),
    close: () =>
      exclusive(async () => {
        await call("flushall");
        await call("disconnect");
        lua.close();
      }),
  };
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
  if (!table.has("get")) throw new Error("ioredis-mock no longer exposes its commands through Pipeline; local/redis needs updating");
  return table;
}

function staticOutcome(command: Command): Outcome | null {
  const error = staticError(command);
  return error === null ? null : { error };
}

function unsupported(name: string): string {
  return `ERR unknown command '${name}' (the embedded engine does not implement it; set REDIS_URL to use a real Redis)`;
}

function errorText(error: unknown, name: string): string {
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
