import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  createIdempotencyGuard,
  createRedis,
  getRun,
  RECENT_RUNS_KEY,
  RECENT_RUNS_LIMIT,
  TRIM_EVERY,
  type Redis,
} from "@/lib/job-runtime";
import { startCountingProxy, type CountingProxy } from "@/harness/counting-proxy";
import { startRedisRestServer, type RedisRestServer } from "@/local/redis/server";
import { redisServerUnavailableReason, startRedisServer, type RedisServerProcess } from "@/local/redis/redis-server";

// How the guard's scripts reach Redis, counted at the REST server: the round trips of a
// fresh instance, of a warm one, and of one whose Redis lost its script cache.
const engines = [
  { label: "embedded engine", unavailable: null as string | null, real: false },
  { label: "real redis-server", unavailable: redisServerUnavailableReason(), real: true },
];

describe.each(engines)("idempotency scripts on the $label", ({ unavailable, real }) => {
  if (unavailable !== null) {
    test.skip(`needs redis-server: ${unavailable}`, () => {});
    return;
  }
  let server: RedisServerProcess | undefined;
  let rest: RedisRestServer;
  let proxy: CountingProxy;
  let admin: Redis;
  let n = 0;

  beforeAll(async () => {
    if (real) server = await startRedisServer();
    rest = await startRedisRestServer({ port: 0, ...(server && { redisUrl: server.url }) });
    proxy = await startCountingProxy(rest.url);
    admin = createRedis({ UPSTASH_REDIS_REST_URL: rest.url, UPSTASH_REDIS_REST_TOKEN: rest.token });
  });
  afterAll(async () => {
    await proxy?.close();
    await rest?.close();
    await server?.stop();
  });

  /** A client as a freshly started instance has it: nothing sent yet. */
  const freshClient = () => createRedis({ UPSTASH_REDIS_REST_URL: proxy.url, UPSTASH_REDIS_REST_TOKEN: rest.token });

  /** What the route's claim passes for a `test` delivery of `messageId`, lease id aside. */
  const claimInput = (messageId: string) => ({
    jobName: "test",
    idempotencyKey: `test/${messageId}`,
    messageId,
    leaseMs: 60_000,
    deadlineMs: Date.now() + 30_000,
    nowMs: Date.now(),
  });

  async function run(redis: Redis, options: { fail?: boolean } = {}) {
    const messageId = `msg_scripts_${n++}`;
    const guard = createIdempotencyGuard(redis, () => Date.now());
    const claim = await guard.claim({
      ...claimInput(messageId),
      leaseId: crypto.randomUUID(),
      token: { jti: `jti_${messageId}`, exp: Math.floor(Date.now() / 1000) + 300 },
    });
    if (claim.state !== "claimed") throw new Error(`claim answered ${claim.state}`);
    if (options.fail) await claim.lease.release("Error: boom");
    else await claim.lease.complete({ ok: true });
    return messageId;
  }

  test("a fresh instance sends each script whole once, then by SHA: two round trips from the first delivery on", async () => {
    const redis = freshClient();
    // The scripts may or may not be cached by Redis already (another instance ran them): either way one trip each.
    await admin.scriptFlush();
    proxy.reset();
    await run(redis);
    expect(proxy.counts()).toMatchObject({ requests: 2, byCommand: { EVAL: 2 } });
    proxy.reset();
    await run(redis);
    expect(proxy.counts()).toMatchObject({ requests: 2, byCommand: { EVALSHA: 2 } });
  });

  test("after Redis lost its scripts, the next call falls back to EVAL once and the run still happens once", async () => {
    const redis = freshClient();
    await run(redis);
    await admin.scriptFlush();
    proxy.reset();
    const messageId = await run(redis);
    expect(proxy.counts()).toMatchObject({ requests: 4, byCommand: { EVALSHA: 2, EVAL: 2 } });
    expect(await getRun(admin, messageId)).toMatchObject({ status: "succeeded", attempts: 1 });
    proxy.reset();
    await run(redis);
    expect(proxy.counts()).toMatchObject({ requests: 2, byCommand: { EVALSHA: 2 } });
  });

  test("the recent-runs index is trimmed on an instance's first claim and every TRIM_EVERY claims after, not on each", async () => {
    await admin.del(RECENT_RUNS_KEY);
    const filler = Array.from({ length: RECENT_RUNS_LIMIT + 50 }, (_, i) => ({ score: i, member: `old_${i}` }));
    await admin.zadd(RECENT_RUNS_KEY, filler[0]!, ...filler.slice(1));
    const redis = freshClient();
    await run(redis);
    expect(await admin.zcard(RECENT_RUNS_KEY)).toBe(RECENT_RUNS_LIMIT);
    for (let i = 1; i < TRIM_EVERY; i++) await run(redis);
    expect(await admin.zcard(RECENT_RUNS_KEY)).toBe(RECENT_RUNS_LIMIT + TRIM_EVERY - 1);
    const newest = await run(redis);
    expect(await admin.zcard(RECENT_RUNS_KEY)).toBe(RECENT_RUNS_LIMIT);
    // The trim drops the oldest: the newest run is still listed.
    expect(await admin.zscore(RECENT_RUNS_KEY, newest)).not.toBeNull();
    expect(await admin.zscore(RECENT_RUNS_KEY, "old_0")).toBeNull();
  });

  test("a run that failed once and then succeeded no longer shows the old error", async () => {
    const redis = freshClient();
    const guard = createIdempotencyGuard(redis, () => Date.now());
    const messageId = `msg_scripts_retry_${n++}`;
    const input = claimInput(messageId);
    const first = await guard.claim({ ...input, leaseId: "lease-1" });
    if (first.state !== "claimed") throw new Error(first.state);
    await first.lease.release("Error: first attempt fails");
    expect(await getRun(admin, messageId)).toMatchObject({ status: "failed", lastError: "Error: first attempt fails" });
    const second = await guard.claim({ ...input, leaseId: "lease-2" });
    if (second.state !== "claimed") throw new Error(second.state);
    await second.lease.complete(undefined);
    const record = await getRun(admin, messageId);
    expect(record).toMatchObject({ status: "succeeded", attempts: 2 });
    expect(record?.lastError).toBeUndefined();
  });
});
