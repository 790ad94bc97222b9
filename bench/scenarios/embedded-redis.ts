import RedisMock from "ioredis-mock";
import { createEmbeddedEngine } from "@/local/redis/embedded-engine";
import { startRedisRestServer, type RedisRestServer } from "@/local/redis/server";
import { findRedisServerBinary, startRedisServer } from "@/local/redis/redis-server";
import { compare, timed, type Comparison } from "../lib/measure";
import { COMPARISON_HEADER, comparisonRows, formatRatio, formatValue, type Scenario, type Target } from "../lib/report";

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

/**
 * A script shaped like the job runtime's claim (a guarded SET NX, a read, writes to a
 * string, a hash and a sorted set, a bounded trim check), and the same commands
 * sent without Lua: what running them as a script costs on top.
 */
const CLAIM_LIKE = `
if not redis.call('SET', KEYS[4], ARGV[7], 'NX', 'PX', ARGV[9]) then return {'replay', 0} end
if redis.call('GET', KEYS[1]) then return {'done', 0} end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('HSET', KEYS[2], 'job', ARGV[3], 'status', 'running', 'startedAt', ARGV[4], 'idempotencyKey', ARGV[5])
local attempt = redis.call('HINCRBY', KEYS[2], 'attempts', 1)
redis.call('EXPIRE', KEYS[2], ARGV[6])
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[7])
if redis.call('ZCARD', KEYS[3]) > 2 * tonumber(ARGV[8]) then
  redis.call('ZREMRANGEBYRANK', KEYS[3], 0, -(tonumber(ARGV[8]) + 1))
end
return {'claimed', attempt}`;
/** Scripts run per sample, so one sample takes long enough to time. */
const SCRIPTS_PER_SAMPLE = 20;

function claimScript(n: number): string[][] {
  const now = String(1_800_000_000_000 + n);
  return [
    [
      "EVAL",
      CLAIM_LIKE,
      "4",
      `idem:${n}`,
      `run:${n}`,
      "recent",
      `jti:${n}`,
      "running:l:1",
      "90000",
      "test",
      now,
      `test/${n}`,
      "86400",
      `m${n}`,
      "1000",
      "60000",
    ],
  ];
}

function claimCommands(n: number): string[][] {
  const now = String(1_800_000_000_000 + n);
  return [
    ["SET", `jti:${n}`, `m${n}`, "NX", "PX", "60000"],
    ["GET", `idem:${n}`],
    ["SET", `idem:${n}`, "running:l:1", "PX", "90000"],
    ["HSET", `run:${n}`, "job", "test", "status", "running", "startedAt", now, "idempotencyKey", `test/${n}`],
    ["HINCRBY", `run:${n}`, "attempts", "1"],
    ["EXPIRE", `run:${n}`, "86400"],
    ["ZADD", "recent", now, `m${n}`],
    ["ZCARD", "recent"],
  ];
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

    // Lua's own cost: the claim-shaped script against its commands sent one by one, same engine.
    const scripted = createEmbeddedEngine();
    let script: Comparison;
    try {
      const sample = (commands: (n: number) => string[][]) => () =>
        timed(async () => {
          for (let i = 0; i < SCRIPTS_PER_SAMPLE; i++) {
            const outcomes = await scripted.exec(commands(n++), false);
            if (outcomes.some((outcome) => "error" in outcome)) throw new Error(`script failed: ${JSON.stringify(outcomes)}`);
          }
        });
      script = await compare(sample(claimCommands), sample(claimScript), OPTIONS);
    } finally {
      await scripted.close();
    }
    const perScript = (ms: number) => formatValue(ms / SCRIPTS_PER_SAMPLE, "ms");
    rows.push(
      ...comparisonRows(
        script,
        {
          baseline: `Baseline: the script's 8 commands without Lua, ${SCRIPTS_PER_SAMPLE} times (in process)`,
          subject: `Subject: EVAL of the claim-shaped script, ${SCRIPTS_PER_SAMPLE} times (in process)`,
        },
        "ms",
      ),
    );
    targets.push({
      label: `claim-shaped EVAL / its commands without Lua ≤ 3: ${formatRatio(script.ratio)} (${perScript(script.subject.median)} vs ${perScript(script.baseline.median)} per script)`,
      pass: script.ratio <= 3,
    });

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
        "Lua's own cost: one `EVAL` of a script shaped like the job runtime's claim (8 `redis.call`s: `SET NX PX`, `GET`, `SET PX`,",
        "`HSET`, `HINCRBY`, `EXPIRE`, `ZADD`, `ZCARD`) against the same 8 commands sent to the same engine without Lua.",
      ].join("\n"),
      table: rows,
      targets,
      notes,
    };
  },
};
