import { Redis } from "@upstash/redis";
import { describe, expect, it } from "vitest";
import {
  type ClaimInput,
  createIdempotencyGuard,
  createRedisScripts,
  getRun,
  nodeHttpFetch,
  UpstashError,
} from "@/lib/job-runtime";
import { redisBackends, useRedisBackend } from "../local-redis/backends";

// The job route claims with createRedisScripts instead of @upstash/redis: the same
// lease scripts must behave the same through either client, on the embedded
// engine and on a real redis-server behind the local REST layer.

const NOW = 1_700_000_000_000;

function claimInput(overrides: Partial<ClaimInput> = {}): ClaimInput {
  return {
    jobName: "test",
    idempotencyKey: "test/msg_1",
    messageId: "msg_1",
    leaseMs: 60_000,
    deadlineMs: NOW + 30_000,
    nowMs: NOW,
    leaseId: "lease_1",
    token: { jti: "jwt_1", exp: NOW / 1_000 + 300 },
    ...overrides,
  };
}

// The Node.js job route sends over node:http (ADR 0024); the Edge route and other callers over fetch.
const TRANSPORTS = [
  { transport: "the global fetch", fetch: undefined },
  { transport: "node:http", fetch: nodeHttpFetch() },
];

describe.each(redisBackends)("createRedisScripts on the $label", (backend) => {
  const ctx = useRedisBackend(backend);
  if (!ctx.ready) return;
  describe.each(TRANSPORTS)("over $transport", ({ fetch }) => {
    const scripts = (token = ctx.server().token) => createRedisScripts({ url: ctx.server().url, token, fetch, backoff: () => 0 });
    const sdk = () => new Redis({ url: ctx.server().url, token: ctx.server().token, enableTelemetry: false });

    it("claims, completes and answers a second delivery as a duplicate, as the SDK reads it back", async () => {
      const guard = createIdempotencyGuard(scripts(), () => NOW + 5);
      const claim = await guard.claim(claimInput());
      expect(claim).toMatchObject({ state: "claimed", attempt: 1 });
      if (claim.state !== "claimed") return;
      await claim.lease.complete({ echoed: "hi" });

      // Another instance (its own client) finds the work done.
      const again = await createIdempotencyGuard(scripts(), () => NOW).claim(
        claimInput({ messageId: "msg_2", leaseId: "lease_2", token: { jti: "jwt_2", exp: NOW / 1_000 + 300 } }),
      );
      expect(again).toEqual({ state: "done", messageId: "msg_1" });
      expect(await getRun(sdk(), "msg_1")).toMatchObject({
        status: "succeeded",
        attempts: 1,
        durationMs: 5,
        result: { echoed: "hi" },
      });
    });

    it("the same signed request sent again is a replay, and a held lease answers running", async () => {
      const guard = createIdempotencyGuard(scripts(), () => NOW);
      expect(await guard.claim(claimInput())).toMatchObject({ state: "claimed" });
      expect(await guard.claim(claimInput({ messageId: "msg_9" }))).toEqual({ state: "replay" });
      const running = await guard.claim(claimInput({ leaseId: "lease_2", token: { jti: "jwt_2", exp: NOW / 1_000 + 300 } }));
      expect(running).toMatchObject({ state: "running" });
      if (running.state === "running") expect(running.retryAfterMs).toBeGreaterThan(50_000);
    });

    it("loads a script it has never sent with EVAL after NOSCRIPT, then runs it by SHA", async () => {
      const client = scripts();
      const script = client.createScript(`return {KEYS[1], ARGV[1], ${Date.now()}}`);
      const [key, arg] = (await script.exec(["k"], ["v"])) as [string, string];
      expect([key, arg]).toEqual(["k", "v"]);
      expect(await script.exec(["k2"], ["v2"])).toEqual(expect.arrayContaining(["k2", "v2"]));
    });

    it("a script error reaches the caller as an UpstashError naming Redis's complaint", async () => {
      const error = await scripts()
        .createScript("return redis.error_reply('ERR lease script refused')")
        .exec(["k"], [])
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(UpstashError);
      expect((error as Error).message).toMatch(/^ERR lease script refused, command was: \["eval/);
    });

    it("a wrong token is refused with the server's answer, not retried into a hang", async () => {
      await expect(scripts("wrong").createScript("return 1").exec([], [])).rejects.toThrow(UpstashError);
    });
  });
});
