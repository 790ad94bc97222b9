import { Redis } from "@upstash/redis";
import { describe, expect, it } from "vitest";
import { createIdempotencyGuard, createRedisScripts, getRun, UpstashError } from "@/lib/job-runtime";
import { CLAIM_NOW as NOW, claimInput } from "../../helpers/claim-input";
import { redisBackends, useRedisBackend } from "../local-redis/backends";

// The job route claims with createRedisScripts instead of @upstash/redis: the same
// lease scripts must behave the same through either client, on the embedded
// engine and on a real redis-server behind the local REST layer.

describe.each(redisBackends)("createRedisScripts on the $label", (backend) => {
  const ctx = useRedisBackend(backend);
  if (!ctx.ready) return;
  const scripts = () => createRedisScripts({ url: ctx.server().url, token: ctx.server().token });
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
    const client = createRedisScripts({ url: ctx.server().url, token: "wrong", backoff: () => 0 });
    await expect(client.createScript("return 1").exec([], [])).rejects.toThrow(UpstashError);
  });
});
