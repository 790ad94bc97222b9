import { Client } from "@upstash/qstash";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { DEV_TOKEN, startQStashServer } from "@/local/qstash/server";
import { findRedisServerBinary } from "@/local/redis/redis-server";
import { startBullBaseline } from "../lib/bullmq";
import { summarize } from "../lib/measure";
import { formatValue, type Scenario, type SummaryRow } from "../lib/report";

const WARM = 500;
const MESSAGES = 2_000;
const REPETITIONS = 3;
const TARGET_BYTES = 1_024;

function gcFunction(): () => void {
  if (typeof globalThis.gc === "function") return globalThis.gc;
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

/** Heap in use plus ArrayBuffer memory (Buffers live outside the JS heap), after full collections. */
async function memory(gc: () => void): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

export const qstashMemoryScenario: Scenario = {
  id: "qstash-memory",
  title: "7. Memory per queued message in the local QStash",
  async run() {
    const gc = gcFunction();
    const perMessage: number[] = [];
    for (let rep = 0; rep < REPETITIONS; rep++) {
      const server = await startQStashServer({ port: 0, dataFile: null });
      try {
        const client = new Client({ baseUrl: server.url, token: DEV_TOKEN, enableTelemetry: false });
        let n = 0;
        // What enqueue publishes for the `test` job: JSON body, retries, failure callback, label; an hour's delay keeps it queued.
        const fill = async (count: number) => {
          for (let done = 0; done < count; done += 100) {
            await client.batchJSON(
              Array.from({ length: 100 }, () => ({
                url: "http://127.0.0.1:3000/api/jobs/test",
                body: { message: `benchmark message ${n++}` },
                delay: 3_600,
                retries: 3,
                failureCallback: "http://127.0.0.1:3000/api/qstash/failure",
                label: "test",
              })),
            );
          }
        };
        // The first messages also pay for code, caches and sockets; the figure is what each further one costs.
        await fill(WARM);
        const before = await memory(gc);
        await fill(MESSAGES);
        perMessage.push(((await memory(gc)) - before) / MESSAGES);
      } finally {
        await server.close();
      }
    }
    const stats = summarize(perMessage);
    let bullBytes: number | undefined;
    if (findRedisServerBinary()) {
      const bull = await startBullBaseline();
      try {
        bullBytes = await bull.bytesPerDelayedJob(MESSAGES);
      } finally {
        await bull.close();
      }
    }
    const figure = `${formatValue(stats.median, "bytes")} (${REPETITIONS} repetitions: ${perMessage.map((bytes) => formatValue(bytes, "bytes")).join(", ")})`;
    const summary: SummaryRow[] = [
      {
        measure: "heap per queued message in the local QStash",
        baseline:
          bullBytes === undefined ? "—" : `reference: BullMQ delayed job in redis-server, ${formatValue(bullBytes, "bytes")}`,
        figure,
        target: `≤ ${formatValue(TARGET_BYTES, "bytes")}`,
        status: stats.median <= TARGET_BYTES ? "PASS" : "FAIL",
      },
    ];
    return {
      title: this.title,
      description: [
        `Heap (\`heapUsed + arrayBuffers\` after full GCs) that ${MESSAGES.toLocaleString("en-US")} more queued messages add to an in-process local`,
        `QStash that already holds ${WARM}, divided by ${MESSAGES.toLocaleString("en-US")}: what the \`test\` job's enqueue publishes`,
        "(JSON body, retries, failure callback, label) with an hour's delay, sent in `batchJSON` batches of 100.",
        "The server, its event log and the SDK client share the heap, so everything a queued message keeps alive counts.",
        "Reference: the bytes redis-server needs for one delayed BullMQ job (INFO used_memory around as many adds).",
      ].join("\n"),
      table: [
        ["Measure", "Samples", "Median", "Max"],
        [
          "Heap per queued message, local QStash",
          String(stats.samples),
          formatValue(stats.median, "bytes"),
          formatValue(Math.max(...perMessage), "bytes"),
        ],
        ...(bullBytes === undefined
          ? []
          : [["Reference: redis-server memory per delayed BullMQ job", "1", formatValue(bullBytes, "bytes"), ""]]),
      ],
      targets: [{ label: `heap per queued message ≤ 1 KiB: ${figure}`, pass: stats.median <= TARGET_BYTES }],
      summary,
      notes: [],
    };
  },
};
