/**
 * Runs the Resend look-alike on its own:
 *
 *   npx tsx local/resend/main.ts [--port 8025] [--host 127.0.0.1] [--rate-limit 10] [--data-file .local/resend.json]
 *
 * Without --rate-limit, a set `RESEND_RATE_LIMIT_PER_SECOND` (the app's email pace) is the limit.
 */
import { closeOnSignal, parseFlags, parsePort, runMain } from "../cli";
import {
  DEFAULT_PORT,
  DEFAULT_RATE_LIMIT_PER_SECOND,
  RATE_LIMIT_VARIABLE,
  RESEND_RATE_LIMIT_PER_SECOND,
  rateLimitFromEnv,
  startResendServer,
} from "./server";

const DEFAULT_DATA_FILE = ".local/resend.json";

const USAGE = `Usage: tsx local/resend/main.ts [options]

  --port <n>            TCP port (0 = any free port)             default ${DEFAULT_PORT}
  --host <addr>         interface to bind                        default 127.0.0.1
  --rate-limit <n>      requests per second per API key          default $${RATE_LIMIT_VARIABLE} if set, else ${DEFAULT_RATE_LIMIT_PER_SECOND}
  --resend-rate-limit   use Resend's own default (${RESEND_RATE_LIMIT_PER_SECOND}/s) to see 429s like production
  --data-file <path>    where captured mail survives restarts    default ${DEFAULT_DATA_FILE}
  --no-data-file        keep captured mail in memory only
  --help                show this text
`;

async function main(): Promise<void> {
  const values = parseFlags(
    {
      port: { type: "string" },
      host: { type: "string" },
      "rate-limit": { type: "string" },
      "resend-rate-limit": { type: "boolean" },
      "data-file": { type: "string" },
      "no-data-file": { type: "boolean" },
    },
    USAGE,
  );
  if (!values) return;
  const port = parsePort(values.port, DEFAULT_PORT, USAGE);
  const rateLimitPerSecond = values["resend-rate-limit"]
    ? RESEND_RATE_LIMIT_PER_SECOND
    : values["rate-limit"] !== undefined
      ? Number(values["rate-limit"])
      : process.env[RATE_LIMIT_VARIABLE]
        ? rateLimitFromEnv(process.env[RATE_LIMIT_VARIABLE])
        : DEFAULT_RATE_LIMIT_PER_SECOND;
  const dataFile = values["no-data-file"] ? null : (values["data-file"] ?? DEFAULT_DATA_FILE);

  const server = await startResendServer({
    port,
    rateLimitPerSecond,
    dataFile,
    ...(values.host !== undefined && { host: values.host }),
  });
  console.log(
    `Resend look-alike on ${server.url} (${rateLimitPerSecond} req/s per key, mail ${dataFile ? `kept in ${dataFile}` : "in memory"})\n`,
  );
  console.log(`  Inbox:  ${server.url}/`);
  console.log(`  RESEND_BASE_URL=${server.url}`);
  console.log("  RESEND_API_KEY=re_local_development   (any key starting with re_ works)\n");

  closeOnSignal(server);
}

runMain(main);
