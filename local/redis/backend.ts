import { join } from "node:path";
import { redactUrl } from "./proxy-engine";
import { findRedisServerBinary, startRedisServer, type RedisServerProcess } from "./redis-server";
import { startRedisRestServer, type RedisRestServer, type RedisRestServerOptions } from "./server";

/**
 * Which Redis the local stack's REST server runs on: `REDIS_URL` always wins;
 * otherwise a throwaway `redis-server` when one is on PATH (and the caller wants
 * it), its data kept in the state folder; otherwise the embedded engine, its
 * data kept in the state folder too.
 */
export type RedisBackendChoice =
  | { kind: "url"; redisUrl: string }
  | { kind: "redis-server"; binary: string }
  | { kind: "embedded" };

export function chooseRedisBackend(options: {
  redisUrl?: string | undefined;
  useRedisServer: boolean;
  path?: string;
}): RedisBackendChoice {
  if (options.redisUrl) return { kind: "url", redisUrl: options.redisUrl };
  const binary = options.useRedisServer ? findRedisServerBinary(options.path) : null;
  return binary ? { kind: "redis-server", binary } : { kind: "embedded" };
}

export interface StartedRedisBackend {
  server: RedisRestServer;
  /** One line for the start banner: which backend runs and where its data lives. */
  description: string;
  close(): Promise<void>;
}

type RestOptions = Omit<RedisRestServerOptions, "redisUrl" | "dataFile">;

/** Starts the REST server on the chosen backend; a redis-server that fails to start falls back to the embedded engine. */
export async function startRedisBackend(
  choice: RedisBackendChoice,
  rest: RestOptions,
  dataDir: string | null,
): Promise<StartedRedisBackend> {
  if (choice.kind === "url") {
    const server = await startRedisRestServer({ ...rest, redisUrl: choice.redisUrl });
    return { server, description: `proxying to REDIS_URL (${redactUrl(choice.redisUrl)})`, close: () => server.close() };
  }
  let fallbackReason = "";
  if (choice.kind === "redis-server") {
    const folder = dataDir === null ? undefined : join(dataDir, "redis-server");
    let process: RedisServerProcess | undefined;
    try {
      process = await startRedisServer({ binary: choice.binary, ...(folder && { dataDir: folder }) });
      const server = await startRedisRestServer({ ...rest, redisUrl: process.url });
      const started = process;
      return {
        server,
        description: `redis-server on ${process.url}${folder ? `, data in ${folder}/` : ""}`,
        async close() {
          await server.close();
          await started.stop();
        },
      };
    } catch (error) {
      await process?.stop();
      fallbackReason = `; ${choice.binary} did not start: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`;
    }
  }
  const dataFile = dataDir === null ? null : join(dataDir, "redis.json");
  const server = await startRedisRestServer({ ...rest, dataFile });
  const where = dataFile ? `, data in ${dataFile}` : ", data in memory only";
  const hint = choice.kind === "embedded" ? " (install redis-server for a real Redis)" : "";
  return { server, description: `embedded engine${where}${hint}${fallbackReason}`, close: () => server.close() };
}
