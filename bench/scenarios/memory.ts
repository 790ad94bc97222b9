import { randomUUID } from "node:crypto";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { DONE_TTL_MS, leaseKey, createRedis } from "@/lib/job-runtime";
import { startRedisRestServer } from "@/local/redis/server";
import { compare } from "../lib/measure";
import { COMPARISON_HEADER, comparisonRows, formatValue, type Scenario } from "../lib/report";

const KEYS = 10_000;
/** Commands per `/pipeline` request: 100 requests in all, like a busy hour of job deliveries in bulk. */
const PIPELINE = 100;

/**
 * `global.gc` when node runs with --expose-gc; otherwise the same function
 * fetched after turning the flag on at run time, so `npm run bench` works as is.
 */
function gcFunction(): { gc: () => void; source: string } {
  if (typeof globalThis.gc === "function") return { gc: globalThis.gc, source: "--expose-gc" };
  setFlagsFromString("--expose-gc");
  return { gc: runInNewContext("gc") as () => void, source: "v8.setFlagsFromString('--expose-gc') at run time" };
}

/** A flat copy of a string, like the ones the emulator gets from JSON.parse (a template literal would share parts). */
const fresh = (text: string) => Buffer.from(text, "utf8").toString("utf8");

export const memoryScenario: Scenario = {
  id: "memory",
  title: "5. Memory of idempotency keys",
  async run() {
    const { gc, source } = gcFunction();
    const heap = async () => {
      // Twice, with a turn of the event loop between: finalizers and closed sockets free more on the second pass.
      for (let i = 0; i < 2; i++) {
        gc();
        await new Promise((resolve) => setImmediate(resolve));
      }
      return process.memoryUsage().heapUsed;
    };
    const ids = Array.from({ length: KEYS }, () => `msg_${randomUUID()}`);

    const plainMap = async () => {
      const before = await heap();
      const map = new Map<string, string>();
      for (const id of ids) map.set(fresh(leaseKey(`test/${id}`)), fresh(`done:${id}`));
      const growth = (await heap()) - before;
      if (map.size !== KEYS) throw new Error("map lost entries");
      return growth / KEYS;
    };

    const emulator = async () => {
      const server = await startRedisRestServer({ port: 0, host: "127.0.0.1" });
      try {
        const redis = createRedis({ UPSTASH_REDIS_REST_URL: server.url, UPSTASH_REDIS_REST_TOKEN: server.token });
        await redis.ping(); // connection and first-request allocations happen before the snapshot
        const before = await heap();
        for (let start = 0; start < KEYS; start += PIPELINE) {
          const pipeline = redis.pipeline();
          // The "done" state exactly as the guard leaves it: SET key done:<messageId> PX 7 days.
          for (const id of ids.slice(start, start + PIPELINE))
            pipeline.set(leaseKey(`test/${id}`), `done:${id}`, { px: DONE_TTL_MS });
          await pipeline.exec();
        }
        const growth = (await heap()) - before;
        if ((await redis.dbsize()) !== KEYS) throw new Error("emulator lost keys");
        return growth / KEYS;
      } finally {
        await server.close();
      }
    };

    const result = await compare(plainMap, emulator, { warmup: 1, rounds: 4, perRound: 1, budgetMs: 20_000 });
    return {
      title: this.title,
      description: [
        `Heap growth (\`process.memoryUsage().heapUsed\` after a full GC) per key while the embedded Redis`,
        `emulator holds ${KEYS.toLocaleString("en-US")} idempotency keys in their finished state`,
        "(`idem:test:msg_<uuid>` → `done:msg_<uuid>`, `PX` 7 days), written through `@upstash/redis`",
        `pipelines of ${PIPELINE}. Baseline: a plain \`Map\` holding the same ${KEYS.toLocaleString("en-US")} key/value strings.`,
        "A fresh emulator per round; the HTTP server and client are in the same heap, so their buffers count too.",
      ].join("\n"),
      table: [
        COMPARISON_HEADER,
        ...comparisonRows(
          result,
          { baseline: "Baseline: `Map<string, string>`, bytes per key", subject: "Subject: embedded emulator, bytes per key" },
          "bytes",
        ),
      ],
      targets: [],
      notes: [
        `Garbage collection: ${source}.`,
        `At the median, ${KEYS.toLocaleString("en-US")} keys cost ${formatValue(result.subject.median * KEYS, "bytes")} in the emulator vs ${formatValue(result.baseline.median * KEYS, "bytes")} in a Map.`,
        "No target: the emulator is a development tool; this tells how many keys a long `npm run dev` session can pile up cheaply.",
      ],
    };
  },
};
