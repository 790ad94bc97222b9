/**
 * Runs the QStash look-alike on its own:
 *
 *   npx tsx local/qstash/main.ts [--port 8080] [--data-file .local/qstash.json] [--manual-clock]
 */
import { parseArgs } from "node:util";
import { manualClock, systemClock } from "../clock";
import { DEFAULT_DATA_FILE, DEFAULT_DEV_PORT, DEV_CURRENT_SIGNING_KEY, DEV_NEXT_SIGNING_KEY, DEV_TOKEN, startQStashServer } from "./server";

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
  const { values } = parseArgs({
    options: {
      port: { type: "string" },
      host: { type: "string" },
      "data-file": { type: "string" },
      "no-data-file": { type: "boolean" },
      "manual-clock": { type: "boolean" },
      "retry-scale": { type: "string" },
      help: { type: "boolean" },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const portText = values.port ?? process.env.QSTASH_DEV_PORT;
  const port = portText === undefined ? DEFAULT_DEV_PORT : Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`invalid port ${portText}\n\n${USAGE}`);
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
  console.log(`Local QStash on ${server.url} (${manual ? "manual" : "system"} clock, state ${dataFile ? `in ${dataFile}` : "in memory"})\n`);
  console.log(`  Dashboard: ${server.url}/`);
  console.log(`  QSTASH_URL=${server.url}`);
  console.log(`  QSTASH_TOKEN=${DEV_TOKEN}`);
  console.log(`  QSTASH_CURRENT_SIGNING_KEY=${DEV_CURRENT_SIGNING_KEY}`);
  console.log(`  QSTASH_NEXT_SIGNING_KEY=${DEV_NEXT_SIGNING_KEY}\n`);
  if (port === DEFAULT_DEV_PORT) console.log("  Or set QSTASH_DEV=true: the official SDK finds this server by itself.\n");

  const stop = () => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
