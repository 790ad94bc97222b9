/**
 * Runs the Upstash Redis REST emulator on its own:
 *
 *   npx tsx local/redis/main.ts [--port 8079] [--host 127.0.0.1] [--token local-redis-token] [--redis-url redis://127.0.0.1:6379]
 *
 * Without --redis-url (or REDIS_URL in the environment) data lives in memory
 * and is gone when the process stops.
 */
import { closeOnSignal, parseFlags, parsePort, runMain } from "../cli";
import { DEFAULT_PORT, DEFAULT_TOKEN, startRedisRestServer } from "./server";
import { redactUrl } from "./proxy-engine";

const USAGE = `Usage: tsx local/redis/main.ts [options]

  --port <n>        TCP port (0 = any free port)          default ${DEFAULT_PORT}
  --host <addr>     interface to bind                     default 127.0.0.1
  --token <token>   bearer token clients must send        default ${DEFAULT_TOKEN}
  --redis-url <url> proxy to a real Redis instead of the  default $REDIS_URL, else
                    embedded in-memory engine                      the embedded engine
  --help            show this text
`;

async function main(): Promise<void> {
  const values = parseFlags(
    {
      port: { type: "string" },
      host: { type: "string" },
      token: { type: "string" },
      "redis-url": { type: "string" },
    },
    USAGE,
  );
  if (!values) return;
  const port = parsePort(values.port, DEFAULT_PORT, USAGE);
  const redisUrl = values["redis-url"] ?? process.env.REDIS_URL ?? undefined;

  const server = await startRedisRestServer({
    port,
    ...(values.host !== undefined && { host: values.host }),
    ...(values.token !== undefined && { token: values.token }),
    ...(redisUrl && { redisUrl }),
  });
  console.log(
    `Upstash Redis REST emulator on ${server.url} (${redisUrl ? `proxying to ${redactUrl(redisUrl)}` : "embedded in-memory engine"})\n`,
  );
  console.log(`  UPSTASH_REDIS_REST_URL=${server.url}`);
  console.log(`  UPSTASH_REDIS_REST_TOKEN=${server.token}\n`);

  closeOnSignal(server);
}

runMain(main);
