import { createHash } from "node:crypto";
import { Ratelimit } from "@upstash/ratelimit";
import { Redis } from "@upstash/redis";
import { Redis as DirectRedis } from "ioredis";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { parseCommandStats } from "@/harness/command-stats";
import { type ClaimInput, createIdempotencyGuard, createRedisScripts } from "@/lib/job-runtime";
import { redisBackends, useRedisBackend } from "./backends";

// Behind the proxy, a script redis-server already holds must reach it as EVALSHA
// (as hosted Upstash receives it), not as the whole text again; and when
// redis-server loses its scripts, the client must see NOSCRIPT, as from a real
// Redis, and recover through its own EVAL. Counted at redis-server itself.

const sha1 = (text: string) => createHash("sha1").update(text).digest("hex");
const INCR = "return redis.call('INCR', KEYS[1])";
const APPEND_B = "return redis.call('APPEND', KEYS[1], 'b')";

const realRedis = redisBackends.find((backend) => backend.label === "real redis-server")!;

describe("scripts proxied to a real redis-server", () => {
  const ctx = useRedisBackend(realRedis);
  if (!ctx.ready) return;

  let direct: DirectRedis;
  beforeAll(async () => {
    direct = new DirectRedis(ctx.redisUrl()!, { lazyConnect: true });
    await direct.connect();
  });
  afterAll(async () => {
    await direct?.quit();
  });
  // Each test starts with no script anywhere and fresh counters at redis-server.
  beforeEach(async () => {
    expect(await rest("/", ["SCRIPT", "FLUSH"])).toEqual({ status: 200, body: { result: "OK" } });
    await direct.config("RESETSTAT");
  });

  const sdk = () => new Redis({ url: ctx.server().url, token: ctx.server().token, enableTelemetry: false });

  async function rest(path: string, body: unknown): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`${ctx.server().url}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${ctx.server().token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: await response.json() };
  }

  /** Calls and failed calls of each script command as redis-server counted them since RESETSTAT. */
  async function scriptCommandStats(): Promise<Record<"eval" | "evalsha" | "script|load", { calls: number; failed: number }>> {
    const stats = parseCommandStats(await direct.info("commandstats"));
    const stat = (name: string) => {
      const { calls = 0, failedCalls = 0 } = stats.get(name) ?? {};
      return { calls, failed: failedCalls };
    };
    return { eval: stat("eval"), evalsha: stat("evalsha"), "script|load": stat("script|load") };
  }

  it("sends the whole script once, then only its SHA", async () => {
    const redis = sdk();
    expect(await redis.eval(INCR, ["n"], [])).toBe(1);
    for (let i = 2; i <= 6; i++) expect(await redis.evalsha(sha1(INCR), ["n"], [])).toBe(i);

    expect(await scriptCommandStats()).toEqual({
      eval: { calls: 1, failed: 0 },
      evalsha: { calls: 5, failed: 0 },
      "script|load": { calls: 0, failed: 0 },
    });
  });

  it("sends EVALSHA right after a SCRIPT LOAD, which redis-server compiled", async () => {
    const redis = sdk();
    expect(await redis.scriptLoad(INCR)).toBe(sha1(INCR));
    expect(await redis.evalsha(sha1(INCR), ["n"], [])).toBe(1);
    expect(await direct.script("EXISTS", sha1(INCR))).toEqual([1]);
    expect(await scriptCommandStats()).toEqual({
      eval: { calls: 0, failed: 0 },
      evalsha: { calls: 1, failed: 0 },
      "script|load": { calls: 1, failed: 0 },
    });

    // redis-server's compile error, not a SHA for a script that can never run.
    await expect(redis.scriptLoad("return +")).rejects.toThrow(/Error compiling script/);
  });

  it("runs a #!lua script by the SHA of its shebang-free text, and answers SCRIPT LOAD with the client's SHA", async () => {
    const source = `#!lua flags=allow-key-locking\n${INCR}`;
    const runnable = `\n${INCR}`;
    const redis = sdk();
    expect(await redis.eval(source, ["n"], [])).toBe(1);
    expect(await redis.evalsha(sha1(source), ["n"], [])).toBe(2);
    expect(await redis.evalsha(sha1(source), ["n"], [])).toBe(3);
    expect(await direct.script("EXISTS", sha1(runnable), sha1(source))).toEqual([1, 0]);
    expect(await scriptCommandStats()).toMatchObject({ eval: { calls: 1, failed: 0 }, evalsha: { calls: 2, failed: 0 } });
    expect(await redis.scriptLoad(source)).toBe(sha1(source));
  });

  it("answers NOSCRIPT once redis-server lost the script, and goes on by SHA after the client's EVAL", async () => {
    const redis = sdk();
    await redis.eval(INCR, ["n"], []);
    await direct.script("FLUSH");

    const missing = await rest("/", ["EVALSHA", sha1(INCR), 1, "n"]);
    expect(missing.status).toBe(400);
    expect(String((missing.body as { error: string }).error)).toMatch(/^NOSCRIPT/);
    expect(await direct.get("n")).toBe("1");

    expect(await redis.eval(INCR, ["n"], [])).toBe(2);
    expect(await redis.evalsha(sha1(INCR), ["n"], [])).toBe(3);
    expect(await scriptCommandStats()).toMatchObject({ eval: { calls: 2, failed: 0 }, evalsha: { calls: 2, failed: 1 } });
  });

  it("lets @upstash/redis scripts recover through their own EVAL after redis-server flushed its scripts", async () => {
    const script = sdk().createScript<number>(INCR);
    expect(await script.exec(["n"], [])).toBe(1);
    expect(await script.exec(["n"], [])).toBe(2);
    await direct.script("FLUSH");
    expect(await script.exec(["n"], [])).toBe(3);
    expect(await script.exec(["n"], [])).toBe(4);
    // exec is EVALSHA first: the first one was unknown to the proxy too, the third met the flush.
    expect(await scriptCommandStats()).toMatchObject({ eval: { calls: 2, failed: 0 }, evalsha: { calls: 4, failed: 2 } });
  });

  it("lets the job runtime's lease scripts recover after redis-server flushed its scripts", async () => {
    const now = 1_700_000_000_000;
    const claimInput = (id: string, delivery: number): ClaimInput => ({
      jobName: "test",
      idempotencyKey: `test/${id}`,
      messageId: id,
      leaseMs: 60_000,
      deadlineMs: now + 30_000,
      nowMs: now,
      leaseId: `lease_${id}`,
      token: { jti: `jwt_${id}_${delivery}`, exp: now / 1_000 + 300 },
    });
    const guard = createIdempotencyGuard(createRedisScripts({ url: ctx.server().url, token: ctx.server().token }), () => now);
    for (const id of ["msg_1", "msg_2", "msg_3"]) {
      if (id === "msg_3") await direct.script("FLUSH");
      const claim = await guard.claim(claimInput(id, 1));
      expect(claim).toMatchObject({ state: "claimed" });
      if (claim.state === "claimed") await claim.lease.complete({ id });
      expect(await guard.claim(claimInput(id, 2))).toEqual({ state: "done", messageId: id });
    }
    // Whole texts: claim and complete once each at first, and again after the flush. The
    // claim's NOSCRIPT told the proxy redis-server holds nothing, so the complete that
    // followed went whole without a NOSCRIPT of its own.
    expect(await scriptCommandStats()).toMatchObject({ eval: { calls: 4, failed: 0 }, evalsha: { calls: 6, failed: 1 } });
  });

  describe("@upstash/ratelimit", () => {
    beforeEach(() => {
      vi.useFakeTimers({ toFake: ["Date"], now: Date.UTC(2026, 0, 1, 12, 30) });
    });
    afterEach(() => {
      vi.useRealTimers();
    });

    it("runs its #!lua scripts by SHA, and recovers through its own EVAL after redis-server flushed them", async () => {
      const limiter = new Ratelimit({
        redis: sdk(),
        limiter: Ratelimit.fixedWindow(10, "1 h"),
        prefix: "fwd-rl",
        timeout: 0,
        ephemeralCache: false,
      });
      const remaining: number[] = [];
      for (let i = 0; i < 4; i++) remaining.push((await limiter.limit("user")).remaining);
      await direct.script("FLUSH");
      for (let i = 0; i < 3; i++) remaining.push((await limiter.limit("user")).remaining);
      expect(remaining).toEqual([9, 8, 7, 6, 5, 4, 3]);
      // Its hard-coded SHA is over the text with the shebang, which redis-server never
      // sees: one NOSCRIPT before the first EVAL, one after the flush, SHA otherwise.
      expect(await scriptCommandStats()).toMatchObject({ eval: { calls: 2, failed: 0 }, evalsha: { calls: 7, failed: 2 } });
    });
  });

  describe("keeps the order of a batch when a script is missing", () => {
    const batch = (key: string) => [
      ["SET", key, "a"],
      ["EVALSHA", sha1(APPEND_B), 1, key],
      ["APPEND", key, "c"],
      ["EVAL", APPEND_B, 1, key],
      ["GET", key],
    ];

    it.each([
      ["a pipeline", "/pipeline"],
      ["a transaction", "/multi-exec"],
    ])("in %s", async (_label, path) => {
      await rest("/", ["EVAL", APPEND_B, 1, "warm-up"]);
      await direct.script("FLUSH");
      const answer = await rest(path, batch("s"));
      expect(answer.status).toBe(200);
      const outcomes = answer.body as Array<{ result?: unknown; error?: string }>;
      expect(outcomes[1]!.error).toMatch(/^NOSCRIPT/);
      // Nothing re-sent behind the client's back: the failed EVALSHA appended nothing.
      expect([outcomes[0], outcomes[2], outcomes[3], outcomes[4]]).toEqual([
        { result: "OK" },
        { result: 2 },
        { result: 3 },
        { result: "acb" },
      ]);

      // The EVAL in the batch loaded it again: the next batch goes by SHA and runs in order.
      const again = await rest(path, batch("t"));
      expect(again.body).toEqual([{ result: "OK" }, { result: 2 }, { result: 3 }, { result: 4 }, { result: "abcb" }]);
      expect(await scriptCommandStats()).toMatchObject({ evalsha: { calls: 2, failed: 1 } });
    });
  });

  it("forgets what redis-server holds on a SCRIPT FLUSH sent through it", async () => {
    const redis = sdk();
    await redis.eval(INCR, ["n"], []);
    expect(await rest("/", ["SCRIPT", "FLUSH"])).toEqual({ status: 200, body: { result: "OK" } });
    expect(await direct.script("EXISTS", sha1(INCR))).toEqual([0]);
    await expect(redis.evalsha(sha1(INCR), ["n"], [])).rejects.toThrow(/NOSCRIPT/);
    expect(await redis.eval(INCR, ["n"], [])).toBe(2);
    expect(await redis.evalsha(sha1(INCR), ["n"], [])).toBe(3);
    expect(await scriptCommandStats()).toMatchObject({ eval: { calls: 2, failed: 0 }, evalsha: { calls: 2, failed: 1 } });
  });
});
