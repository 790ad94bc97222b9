/**
 * Runs the QStash look-alike on its own:
 *
 *   npx tsx local/qstash/main.ts [--port 8080] [--data-file .local/qstash.json] [--manual-clock]
 */
import { closeOnSignal, parseFlags, parsePort, runMain } from "../cli";
import { manualClock, systemClock } from "../clock";
import {
  DEFAULT_DATA_FILE,
  DEFAULT_DEV_PORT,
  DEV_CURRENT_SIGNING_KEY,
  DEV_NEXT_SIGNING_KEY,
  DEV_TOKEN,
  startQStashServer,
} from "./server";

const USAGE = `Usage: tsx local/qstash/main.ts [options]

  --port <n>            TCP port, 0 = any free one      default $QSTASH_DEV_PORT or ${DEFAULT_DEV_PORT}
  --host <addr>         interface to bind               default 127.0.0.1
  --data-file <path>    state that survives restarts    default $QSTASH_DATA_FILE or ${DEFAULT_DATA_FILE}
  --no-data-file        keep everything in memory
  --manual-clock        time only moves via POST /__stack/clock/advance   (or QSTASH_MANUAL_CLOCK=true)
  --retry-scale <x>     multiply the default retry ladder (e.g. 0.001)     default 1
  --help                show this text
`;

async function main(): Promise<void> {
  const values = parseFlags(
    {
      port: { type: "string" },
      host: { type: "string" },
      "data-file": { type: "string" },
      "no-data-file": { type: "boolean" },
      "manual-clock": { type: "boolean" },
      "retry-scale": { type: "string" },
    },
    USAGE,
  );
  if (!values) return;
  // The port may come from the environment too, so the error doesn't name the flag.
  const port = parsePort(values.port ?? process.env.QSTASH_DEV_PORT, DEFAULT_DEV_PORT, USAGE, "port");
  const retryScale = values["retry-scale"] === undefined ? 1 : Number(values["retry-scale"]);
  if (!(retryScale > 0)) throw new Error(`invalid --retry-scale ${values["retry-scale"]}\n\n${USAGE}`);
  const manual = values["manual-clock"] === true || process.env.QSTASH_MANUAL_CLOCK === "true";
  const dataFile = values["no-data-file"] ? null : (values["data-file"] ?? process.env.QSTASH_DATA_FILE ?? DEFAULT_DATA_FILE);

  const server = await startQStashServer({
    port,
    retryScale,
    dataFile,
    clock: manual ? manualClock(Date.now()) : systemClock(),
    ...(values.host !== undefined && { host: values.host }),
  });
  console.log(
    `Local QStash on ${server.url} (${manual ? "manual" : "system"} clock, state ${dataFile ? `in ${dataFile}` : "in memory"})\n`,
  );
  console.log(`  Dashboard: ${server.url}/`);
  console.log(`  QSTASH_URL=${server.url}`);
  console.log(`  QSTASH_TOKEN=${DEV_TOKEN}`);
  console.log(`  QSTASH_CURRENT_SIGNING_KEY=${DEV_CURRENT_SIGNING_KEY}`);
  console.log(`  QSTASH_NEXT_SIGNING_KEY=${DEV_NEXT_SIGNING_KEY}\n`);
  if (port === DEFAULT_DEV_PORT) console.log("  Or set QSTASH_DEV=true: the official SDK finds this server by itself.\n");

  closeOnSignal(server);
}

runMain(main);
