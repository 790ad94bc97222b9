import { Redis, ReplyError } from "ioredis";
import { refuseCommand, TransactionAbortedError, type Command, type Engine, type Outcome, type Reply } from "./engine";

/**
 * Forwards commands to a real Redis over one ioredis connection. Replies are
 * read as Buffers so values reach the client byte for byte. Command names are
 * sent uppercase: ioredis reshapes a few lowercase ones (HGETALL into an object).
 */
export async function createProxyEngine(redisUrl: string): Promise<Engine> {
  const client = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  // ioredis reconnects on its own; report each new kind of failure once instead
  // of letting it print "Unhandled error event" on every retry.
  let lastError = "";
  client.on("error", (error: Error) => {
    if (error.message === lastError) return;
    lastError = error.message;
    console.error(`[local/redis] ${redactUrl(redisUrl)}: ${error.message}`);
  });
  client.on("ready", () => {
    lastError = "";
  });
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    throw new Error(`cannot reach Redis at ${redactUrl(redisUrl)}`, { cause: error });
  }

  async function send(commands: Command[], atomic: boolean): Promise<Outcome[]> {
    const batch = atomic ? client.multi() : client.pipeline();
    for (const [name, ...args] of commands) batch.callBuffer(name!.toUpperCase(), ...args);
    let replies: [Error | null, unknown][] | null;
    try {
      replies = await batch.exec();
    } catch (error) {
      if (error instanceof ReplyError && /^EXECABORT/.test((error as Error).message)) {
        throw new TransactionAbortedError((error as Error).message);
      }
      throw error;
    }
    if (!replies) throw new TransactionAbortedError("EXECABORT Transaction discarded");
    return replies.map(([error, value]) => {
      if (error instanceof ReplyError) return { error: explainError((error as Error).message) };
      if (error) throw error;
      return { result: toReply(value) };
    });
  }

  return {
    async exec(commands, atomic) {
      const refused = commands.map(refuseCommand);
      const allowed = commands.filter((_, i) => refused[i] === null);
      const sent = allowed.length > 0 ? await send(allowed, atomic) : [];
      let next = 0;
      return refused.map((outcome) => outcome ?? sent[next++]!);
    },
    async subscribe(targets, pattern, listener) {
      // A subscribed connection can run nothing else, so each stream gets its own.
      const subscriber = client.duplicate();
      subscriber.on("error", () => undefined);
      await subscriber.connect();
      subscriber.on("message", (channel: string, message: string) => listener({ channel, message }));
      subscriber.on("pmessage", (matched: string, channel: string, message: string) =>
        listener({ channel, pattern: matched, message }),
      );
      if (pattern) await subscriber.psubscribe(...targets);
      else await subscriber.subscribe(...targets);
      return async () => {
        await subscriber.quit().catch(() => subscriber.disconnect());
      };
    },
    async flush() {
      await client.flushdb();
    },
    async close() {
      await client.quit().catch(() => client.disconnect());
    },
  };
}

/** Upstash's JSON.* need the RedisJSON module, which a stock redis-server lacks: say so. */
function explainError(message: string): string {
  const json = /^ERR unknown command '(JSON\.[A-Z]+)'/i.exec(message);
  if (!json) return message;
  return `ERR unknown command '${json[1]}': the Redis at REDIS_URL has no RedisJSON module (use Redis Stack or Redis 8, or leave REDIS_URL unset for the embedded engine, which has JSON.*)`;
}

function toReply(value: unknown): Reply {
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value) || typeof value === "number" || typeof value === "string") return value;
  if (Array.isArray(value)) return value.map(toReply);
  // An error nested in an array (a script returning one) has no JSON slot of its own.
  if (value instanceof Error) return value.message;
  return String(value);
}

/** The URL without its password, for error messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "<invalid url>";
  }
}
