import { Ratelimit } from "@upstash/ratelimit";
import { Redis } from "@upstash/redis";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { redisBackends, useRedisBackend } from "./backends";

// @upstash/ratelimit 2.2 scripts start with `#!lua flags=allow-key-locking` and
// are called by hard-coded SHA-1. `timeout: 0` turns off the 5 s fallback that
// would report `success: true, reason: "timeout"` when the backend is broken,
// and `ephemeralCache: false` makes every call reach Redis.

type Limiter = ConstructorParameters<typeof Ratelimit>[0]["limiter"];

const algorithms: Array<{ name: string; limiter: () => Limiter }> = [
  { name: "slidingWindow", limiter: () => Ratelimit.slidingWindow(10, "1 h") },
  { name: "fixedWindow", limiter: () => Ratelimit.fixedWindow(10, "1 h") },
  { name: "tokenBucket", limiter: () => Ratelimit.tokenBucket(10, "1 h", 10) },
];

describe.each(redisBackends)("@upstash/ratelimit on the $label", (backend) => {
  const ctx = useRedisBackend(backend);
  if (!ctx.ready) return;

  // Window indices come from Date.now() on the client. Pin the date mid-window so
  // a test can never straddle a window boundary; only Date is faked, so network
  // timers run normally.
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["Date"], now: Date.UTC(2026, 0, 1, 12, 30) });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const ratelimit = (limiter: Limiter) =>
    new Ratelimit({
      redis: new Redis({ url: ctx.server().url, token: ctx.server().token }),
      limiter,
      prefix: "test-rl",
      timeout: 0,
      ephemeralCache: false,
    });

  describe.each(algorithms)("$name(10, 1 h)", ({ limiter }) => {
    it("allows 10 requests, then rejects, with every answer coming from Redis", async () => {
      const rl = ratelimit(limiter());
      const results = [];
      for (let i = 0; i < 12; i++) results.push(await rl.limit("user-1"));
      expect(results.map((r) => r.success)).toEqual([...Array(10).fill(true), false, false]);
      for (const result of results) {
        expect(result.reason).toBeUndefined();
        expect(result.limit).toBe(10);
      }
      expect(results[0]!.remaining).toBe(9);
      expect(results[9]!.remaining).toBe(0);
      expect(results[10]!.remaining).toBe(0);
    });

    it("keeps identifiers apart", async () => {
      const rl = ratelimit(limiter());
      for (let i = 0; i < 10; i++) await rl.limit("user-a");
      expect((await rl.limit("user-a")).success).toBe(false);
      expect((await rl.limit("user-b")).success).toBe(true);
    });

    it("starts over after resetUsedTokens", async () => {
      const rl = ratelimit(limiter());
      for (let i = 0; i < 10; i++) await rl.limit("user-r");
      expect((await rl.limit("user-r")).success).toBe(false);
      await rl.resetUsedTokens("user-r");
      const after = await rl.limit("user-r");
      expect(after.success).toBe(true);
      expect(after.reason).toBeUndefined();
      expect(after.remaining).toBe(9);
      expect((await rl.getRemaining("user-r")).remaining).toBe(9);
    });
  });
});
