import { Redis } from "@upstash/redis";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startRedisRestServer, type RedisRestServer } from "@/local/redis/server";

// Outage windows on the Redis REST look-alike: command requests answer 5xx or
// have their connection dropped; a failed request runs nothing.

describe("local Redis REST: fault injection", () => {
  let server: RedisRestServer;
  let now = 1_000_000;
  beforeEach(async () => {
    now = 1_000_000;
    server = await startRedisRestServer({ port: 0, now: () => now });
  });
  afterEach(() => server.close());

  const redis = () => new Redis({ url: server.url, token: server.token, retry: false, enableTelemetry: false });
  const faults = (method: string, body?: unknown, token = server.token) =>
    fetch(`${server.url}/__faults`, {
      method,
      headers: { authorization: `Bearer ${token}` },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });

  it("error mode: every command answers 503 for the window and runs nothing; afterwards all is normal", async () => {
    await redis().set("k", "before");
    const started = await faults("POST", { outage: { mode: "error", durationMs: 5_000 } });
    expect(await started.json()).toMatchObject({ outage: { mode: "error", endsAt: now + 5_000 }, injected: { outages: 1 } });
    await expect(redis().set("k", "during")).rejects.toThrow(/injected fault/);
    await expect(redis().multi().set("k", "during").exec()).rejects.toThrow();
    now += 5_000;
    expect(await redis().get("k")).toBe("before");
    expect(server.faults.state()).toEqual({ injected: { errors: 2, refused: 0, outages: 1 } });
  });

  it("refuse mode: the connection is dropped unanswered until DELETE /__faults", async () => {
    server.faults.set({ outage: { mode: "refuse" } });
    await expect(redis().get("k")).rejects.toThrow(/fetch failed|socket|other side closed/i);
    expect((await faults("DELETE")).status).toBe(200);
    expect(await redis().get("k")).toBeNull();
    expect(server.faults.state().injected.refused).toBeGreaterThanOrEqual(1);
  });

  it("rate: only a share of requests fail", async () => {
    server.faults.set({ outage: { mode: "error", rate: 0.5 } });
    const results = await Promise.allSettled(Array.from({ length: 60 }, (_, i) => redis().set(`k${i}`, i)));
    const failed = results.filter((result) => result.status === "rejected").length;
    expect(failed).toBeGreaterThan(5);
    expect(failed).toBeLessThan(55);
    expect(server.faults.state().injected.errors).toBe(failed);
  });

  it("the switch needs the token and rejects malformed bodies", async () => {
    expect((await faults("POST", { outage: { mode: "error" } }, "wrong")).status).toBe(401);
    expect((await fetch(`${server.url}/__faults`)).status).toBe(401);
    const bad = await faults("POST", { outage: { mode: "error", status: 200 } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: "outage.status must be a 5xx status" });
    expect(await (await faults("GET")).json()).toEqual({ injected: { errors: 0, refused: 0, outages: 0 } });
  });
});
