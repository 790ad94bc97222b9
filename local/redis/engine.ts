/**
 * What the HTTP layer needs from a Redis backend. Two implementations: the
 * embedded in-memory engine (ioredis-mock) and a proxy to a real Redis (ioredis).
 */

/** A Redis reply as the REST protocol carries it. Buffers keep raw bytes from a real Redis. */
export type Reply = string | Buffer | number | null | Reply[];

/** One command's outcome, shaped like the REST response items. */
export type Outcome = { result: Reply } | { error: string };

/** A command with its name first, every argument already a bulk string. */
export type Command = string[];

/** One published message as a subscriber receives it. */
export interface PubSubMessage {
  channel: string;
  /** The pattern that matched, for pattern subscriptions. */
  pattern?: string;
  message: string;
}

export interface Engine {
  /**
   * Runs `commands` in order and returns one outcome per command. With `atomic`,
   * they run as one MULTI/EXEC: nothing else interleaves, and a runtime error in
   * one command does not stop the others (as in Redis).
   * @throws TransactionAbortedError when an atomic batch is rejected before running
   */
  exec(commands: Command[], atomic: boolean): Promise<Outcome[]>;
  /**
   * Subscribes to channels (or glob patterns) until the returned function is
   * called; messages published from then on reach `listener`. Backs Upstash's
   * `/subscribe` and `/psubscribe` streaming endpoints.
   */
  subscribe(targets: string[], pattern: boolean, listener: (message: PubSubMessage) => void): Promise<() => Promise<void>>;
  /** Deletes every key (FLUSHDB); loaded scripts stay. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** Redis discarded a MULTI because a queued command was invalid (EXECABORT). */
export class TransactionAbortedError extends Error {
  constructor(message = "EXECABORT Transaction discarded because of previous errors.") {
    super(message);
    this.name = new.target.name;
  }
}

/** Commands that cannot work over a stateless request/response API. */
export const CONNECTION_STATE_COMMANDS: ReadonlySet<string> = new Set([
  "multi",
  "exec",
  "discard",
  "watch",
  "unwatch",
  "select",
  "swapdb",
  "move",
  "subscribe",
  "psubscribe",
  "ssubscribe",
  "unsubscribe",
  "punsubscribe",
  "sunsubscribe",
  "monitor",
  "quit",
  "reset",
  "hello",
  "auth",
  "client",
  "wait",
  "waitaof",
  "sync",
  "psync",
  "replicaof",
  "slaveof",
  "shutdown",
  "debug",
  "blpop",
  "brpop",
  "brpoplpush",
  "blmove",
  "blmpop",
  "bzpopmin",
  "bzpopmax",
  "bzmpop",
]);

/** An error outcome for commands this emulator refuses on every backend, else null. */
export function refuseCommand(command: Command): Outcome | null {
  const name = (command[0] ?? "").toLowerCase();
  if (!CONNECTION_STATE_COMMANDS.has(name)) return null;
  // A shared connection serves every request, so per-connection state (a selected
  // database, a subscription, a blocked pop) would leak into other callers.
  return { error: `ERR '${name}' is not supported by the local REST emulator` };
}
