import RedisMock from "ioredis-mock";
import { createEmbeddedEngine } from "@/local/redis/embedded-engine";
import { startRedisRestServer, type RedisRestServer } from "@/local/redis/server";
import { findRedisServerBinary, startRedisServer } from "@/local/redis/redis-server";
import { compare, timed, type Comparison } from "../lib/measure";
import { COMPARISON_HEADER, comparisonRows, formatRatio, type Scenario, type Target } from "../lib/report";

/** Members in the sorted set and fields in the hash every operation touches. */
const SIZE = 10_000;
const OPTIONS = { warmup: 50, rounds: 6, perRound: 60, budgetMs: 20_000 };

/** One sample's commands: a write to each big value and a bounded range read, as a job store does. */
function operations(n: number): string[][] {
  const member = `m${n % SIZE}`;
  const low = n % (SIZE - 100);
  return [
    ["ZADD", "z", String((n % SIZE) + 0.5), member],
    ["HSET", "h", `f${n % SIZE}`, String(n)],
    ["ZRANGEBYSCORE", "z", String(low), String(low + 50), "LIMIT", "0", "10"],
  ];
}

function seed(): string[][] {
  const commands: string[][] = [];
  for (let start = 0; start < SIZE; start += 1_000) {
    const zadd = ["ZADD", "z"];
    const hset = ["HSET", "h"];
    for (let i = start; i < start + 1_000; i++) {
      zadd.push(String(i), `m${i}`);
      hset.push(`f${i}`, `v${i}`);
    }
    commands.push(zadd, hset);
  }
  return commands;
}

async function pipeline(server: RedisRestServer, commands: string[][]): Promise<void> {
  const response = await fetch(`${server.url}/pipeline`, {
    method: "POST",
    headers: { authorization: `Bearer ${server.token}`, "upstash-encoding": "base64", "content-type": "application/json" },
    body: JSON.stringify(commands),
  });
  const replies = (await response.json()) as Array<{ error?: string }>;
  const failed = replies.find((reply) => reply.error);
  if (response.status !== 200 || failed) throw new Error(`pipeline failed: ${response.status} ${failed?.error ?? ""}`);
}

/** The same operations straight on ioredis-mock with its own store, which copies a value on every access. */
async function mockWithItsOwnStore(): Promise<{ run(n: number): Promise<void>; close(): void }> {
  const mock = new RedisMock({ host: `bench-${Date.now()}`, port: 6379 }) as unknown as Record<
    string,
    (...args: string[]) => Promise<unknown>
  >;
  for (const [name, ...args] of seed()) await mock[name!.toLowerCase()]!(...args);
  return {
    async run(n) {
      for (const [name, ...args] of operations(n)) await mock[name!.toLowerCase()]!(...args);
    },
    close: () => void mock.disconnect!(),
  };
}

export const embeddedRedisScenario: Scenario = {
  id: "embedded-redis",
  title: "Embedded Redis engine on a 10k-member sorted set and hash",
  async run() {
    const rows: string[][] = [COMPARISON_HEADER];
    const targets: Target[] = [];
    const notes: string[] = [];

    // In process: the engine against ioredis-mock's copying store, same commands.
    const engine = createEmbeddedEngine();
    await engine.exec(seed(), false);
    const mock = await mockWithItsOwnStore();
    let n = 0;
    let inProcess: Comparison;
    try {
      inProcess = await compare(
        () => timed(() => mock.run(n++)),
        () => timed(() => engine.exec(operations(n++), false)),
        OPTIONS,
      );
    } finally {
      mock.close();
      await engine.close();
    }
    rows.push(
      ...comparisonRows(
        inProcess,
        { baseline: "Baseline: ioredis-mock with its own store (in process)", subject: "Subject: embedded engine (in process)" },
        "ms",
      ),
    );
    targets.push({
      label: `embedded engine / ioredis-mock's copying store < 0.5: ${formatRatio(inProcess.ratio)}`,
      pass: inProcess.ratio < 0.5,
    });
    notes.push(
      `In process the engine takes 1/${Math.round(1 / inProcess.ratio)} of the time ioredis-mock's copying store takes for the same commands.`,
    );

    // Over HTTP, as the SDK sees it: the embedded engine against the REST server proxied to redis-server.
    if (!findRedisServerBinary()) {
      notes.push(
        "`redis-server` is not on PATH, so the comparison with a real Redis was skipped (`apt-get install -y redis-server`).",
      );
    } else {
      const redis = await startRedisServer();
      const proxied = await startRedisRestServer({ port: 0, redisUrl: redis.url });
      const embedded = await startRedisRestServer({ port: 0 });
      try {
        await pipeline(proxied, seed());
        await pipeline(embedded, seed());
        const overHttp = await compare(
          () => timed(() => pipeline(proxied, operations(n++))),
          () => timed(() => pipeline(embedded, operations(n++))),
          OPTIONS,
        );
        rows.push(
          ...comparisonRows(
            overHttp,
            { baseline: "Baseline: REST server → redis-server", subject: "Subject: REST server, embedded engine" },
            "ms",
          ),
        );
        targets.push({
          label: `embedded / proxied to redis-server ≤ 1.1: ${formatRatio(overHttp.ratio)}`,
          pass: overHttp.ratio <= 1.1,
        });
      } finally {
        await embedded.close();
        await proxied.close();
        await redis.stop();
      }
    }

    return {
      title: this.title,
      description: [
        `Each sample is one \`ZADD\` and one \`HSET\` on a ${SIZE.toLocaleString("en-US")}-member sorted set and hash, and one`,
        "`ZRANGEBYSCORE … LIMIT 0 10` on the set. In process, the embedded engine is compared with the same calls on",
        "ioredis-mock's own store, which copies the whole value on every read and write (what the engine used to do).",
        "Over HTTP, a `/pipeline` of the three commands goes to the REST server on the embedded engine and to the same",
        "server proxied to a throwaway `redis-server`.",
      ].join("\n"),
      table: rows,
      targets,
      notes,
    };
  },
};
