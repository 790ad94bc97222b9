import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIFFERENTIAL_CASES, type DiffCase } from "./differential-cases";
import { redisBackends, useRedisBackend } from "./backends";
import type { RedisRestServer } from "@/local/redis/server";

// Every case of the command table goes to the embedded engine and to a real
// redis-server behind the same REST layer, as one base64-encoded pipeline (what
// @upstash/redis sends). Results must match exactly; errors must carry the same
// error code (the first word: ERR, WRONGTYPE, NOSCRIPT…), since the embedded
// engine's wording may differ from Redis's. Replies whose order Redis leaves
// unspecified (SMEMBERS, KEYS, HGETALL…) are compared sorted.

type Outcome = { result: unknown } | { error: string };

/** Commands whose reply order is unspecified; `pairs` keeps field/value pairs together. */
const UNORDERED: Record<string, "items" | "pairs" | "scan" | "scan-pairs"> = {
  smembers: "items",
  sinter: "items",
  sunion: "items",
  sdiff: "items",
  keys: "items",
  hkeys: "items",
  hvals: "items",
  srandmember: "items",
  spop: "items",
  hgetall: "pairs",
  scan: "scan",
  sscan: "scan",
  hscan: "scan-pairs",
};

function sortItems(items: unknown[], pairs: boolean): unknown[] {
  const groups: unknown[][] = [];
  for (let i = 0; i < items.length; i += pairs ? 2 : 1) groups.push(items.slice(i, i + (pairs ? 2 : 1)));
  return groups.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1)).flat();
}

function normalize(command: string[], outcome: Outcome): Outcome {
  if ("error" in outcome) return { error: outcome.error.split(" ")[0]! };
  const name = command[0]!.toLowerCase();
  const upper = command.map((arg) => arg.toUpperCase());
  let kind = UNORDERED[name];
  if ((name === "hrandfield" || name === "zrandmember") && command.length > 2)
    kind = upper.some((arg) => arg.startsWith("WITH")) ? "pairs" : "items";
  if (name.startsWith("georadius") && !upper.includes("ASC") && !upper.includes("DESC")) kind = "items";
  const { result } = outcome;
  // XPENDING's extended form reports idle milliseconds, which depend on when each server ran.
  if (name === "xpending" && command.length > 3 && Array.isArray(result)) {
    return { result: result.map((row) => (Array.isArray(row) ? [row[0], row[1], "idle", row[3]] : row)) };
  }
  if (!kind || !Array.isArray(result)) return outcome;
  if (kind === "scan" || kind === "scan-pairs")
    return { result: [result[0], sortItems(result[1] as unknown[], kind === "scan-pairs")] };
  return { result: sortItems(result, kind === "pairs") };
}

/** Generated ids (XADD *) differ between servers; only success is compared. */
function isVolatile(command: string[]): boolean {
  return command[0]!.toUpperCase() === "XADD" && command.includes("*");
}

async function runCase(server: RedisRestServer, commands: string[][]): Promise<Outcome[]> {
  await server.flush();
  const response = await fetch(`${server.url}/pipeline`, {
    method: "POST",
    headers: { authorization: `Bearer ${server.token}`, "upstash-encoding": "base64", "content-type": "application/json" },
    body: JSON.stringify(commands),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Outcome[];
}

function describeDivergence(testCase: DiffCase, embedded: Outcome[], real: Outcome[]): string | null {
  const lines: string[] = [];
  testCase.commands.forEach((command, i) => {
    const a = normalize(command, embedded[i]!);
    const b = normalize(command, real[i]!);
    if (isVolatile(command) && "result" in a && "result" in b) return;
    if (JSON.stringify(a) !== JSON.stringify(b)) {
      lines.push(
        `  ${command.join(" ")}\n    embedded: ${JSON.stringify(embedded[i])}\n    redis:    ${JSON.stringify(real[i])}`,
      );
    }
  });
  return lines.length === 0 ? null : `${testCase.name}\n${lines.join("\n")}`;
}

const [embeddedBackend, realBackend] = redisBackends as [(typeof redisBackends)[0], (typeof redisBackends)[0]];

describe("embedded engine vs redis-server: the differential command table", () => {
  // Skips (or fails on CI) with the reason when redis-server is not on PATH.
  const real = useRedisBackend(realBackend);
  if (!real.ready) return;
  let embedded: { server: RedisRestServer; stop(): Promise<void> };
  beforeAll(async () => {
    embedded = await embeddedBackend.start();
  });
  afterAll(async () => {
    await embedded?.stop();
  });

  it(`has at least 300 cases (${DIFFERENTIAL_CASES.length})`, () => {
    expect(DIFFERENTIAL_CASES.length).toBeGreaterThanOrEqual(300);
  });

  it("covers every command the embedded engine used to lack", () => {
    const sent = new Set(DIFFERENTIAL_CASES.flatMap((testCase) => testCase.commands.map((command) => command[0]!.toUpperCase())));
    const required = [
      "GEOADD",
      "GEODIST",
      "GEOPOS",
      "GEOHASH",
      "GEOSEARCH",
      "GEOSEARCHSTORE",
      "GEORADIUS",
      "GEORADIUSBYMEMBER",
      "XGROUP",
      "XINFO",
      "XDEL",
      "XTRIM",
      "XREADGROUP",
      "XACK",
      "XPENDING",
      "XCLAIM",
      "XAUTOCLAIM",
      "PFADD",
      "PFCOUNT",
      "PFMERGE",
      "ZUNION",
      "ZUNIONSTORE",
      "ZINTER",
      "ZINTERSTORE",
      "ZDIFF",
      "ZDIFFSTORE",
      "ZRANDMEMBER",
      "ZLEXCOUNT",
      "ZREMRANGEBYLEX",
      "COPY",
      "BITPOS",
      "BITFIELD",
      "BITOP",
      "SINTERCARD",
      "LCS",
      "TOUCH",
      "MEMORY",
    ];
    expect(required.filter((name) => !sent.has(name))).toEqual([]);
  });

  it.each(DIFFERENTIAL_CASES.map((testCase) => [testCase.name, testCase] as const))("%s", async (_name, testCase) => {
    const fromEmbedded = await runCase(embedded.server, testCase.commands);
    const fromRedis = await runCase(real.server(), testCase.commands);
    expect(describeDivergence(testCase, fromEmbedded, fromRedis)).toBeNull();
  });
});
