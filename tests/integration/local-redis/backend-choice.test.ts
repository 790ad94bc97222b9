import { chmodSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "@upstash/redis";
import { afterEach, describe, expect, it } from "vitest";
import { chooseRedisBackend, startRedisBackend } from "@/local/redis/backend";
import { findRedisServerBinary } from "@/local/redis/redis-server";
import { startRedisRestServer } from "@/local/redis/server";

// Which Redis `npm run dev` / `npm run stack` run on, and that its data survives
// a restart on every backend, through the official client.

const folders: string[] = [];
function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), "redis-backend-"));
  folders.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const client = (server: { url: string; token: string }) => new Redis({ url: server.url, token: server.token });

describe("choosing the Redis backend", () => {
  it("REDIS_URL wins; then redis-server from PATH when wanted; else the embedded engine", () => {
    const dir = scratch();
    const binary = join(dir, "redis-server");
    writeFileSync(binary, "#!/bin/sh\nexit 0\n");
    chmodSync(binary, 0o755);
    expect(chooseRedisBackend({ redisUrl: "redis://127.0.0.1:1", useRedisServer: true, path: dir })).toEqual({
      kind: "url",
      redisUrl: "redis://127.0.0.1:1",
    });
    expect(chooseRedisBackend({ useRedisServer: true, path: dir })).toEqual({ kind: "redis-server", binary });
    expect(chooseRedisBackend({ useRedisServer: false, path: dir })).toEqual({ kind: "embedded" });
    expect(chooseRedisBackend({ useRedisServer: true, path: "/nonexistent" })).toEqual({ kind: "embedded" });
  });

  it("a redis-server that cannot start falls back to the embedded engine and the banner says why", async () => {
    const dir = scratch();
    const binary = join(dir, "redis-server");
    writeFileSync(binary, '#!/bin/sh\necho "Fatal: cannot bind"\nexit 1\n');
    chmodSync(binary, 0o755);
    const backend = await startRedisBackend({ kind: "redis-server", binary }, { port: 0 }, join(dir, "state"));
    try {
      expect(backend.description).toMatch(/^embedded engine, data in .*redis\.json; .* did not start/);
      expect(await client(backend.server).set("k", "v")).toBe("OK");
    } finally {
      await backend.close();
    }
  });
});

describe("the embedded engine keeps its data across a restart", () => {
  it("every type, TTLs included; expired keys stay gone", async () => {
    const file = join(scratch(), "redis.json");
    const first = await startRedisRestServer({ port: 0, dataFile: file });
    const redis = client(first);
    await redis.set("user:1", JSON.stringify({ name: "Ada" }));
    await redis.set("idem:job:1", "done:m", { ex: 600 });
    await redis.set("short", "x", { px: 1 });
    await redis.hset("invite:1", { email: "a@b.test", role: "member" });
    await redis.zadd("runs", { score: 1, member: "a" });
    // JSON cannot carry Infinity, so the infinite score goes in through a script.
    await redis.eval("return redis.call('ZADD', KEYS[1], 'inf', 'b')", ["runs"], []);
    await redis.rpush("list", "a", "b");
    await redis.sadd("set", "m");
    await redis.xadd("stream", "1-1", { f: "v" });
    await redis.pfadd("hll", "x", "y");
    await first.close();

    const second = await startRedisRestServer({ port: 0, dataFile: file });
    try {
      const again = client(second);
      expect(await again.get("user:1")).toEqual({ name: "Ada" });
      expect(await again.ttl("idem:job:1")).toBeGreaterThan(590);
      expect(await again.exists("short")).toBe(0);
      expect(await again.hgetall("invite:1")).toEqual({ email: "a@b.test", role: "member" });
      expect(await again.zrange("runs", 0, -1, { withScores: true })).toEqual(["a", 1, "b", "inf"]);
      expect(await again.lrange("list", 0, -1)).toEqual(["a", "b"]);
      expect(await again.smembers("set")).toEqual(["m"]);
      expect(await again.xrange("stream", "-", "+")).toEqual({ "1-1": { f: "v" } });
      expect(await again.pfcount("hll")).toBe(2);
    } finally {
      await second.close();
    }
  });

  it("an unreadable file is set aside, not lost, and the engine starts empty", async () => {
    const dir = scratch();
    const file = join(dir, "redis.json");
    writeFileSync(file, "{ not json");
    const server = await startRedisRestServer({ port: 0, dataFile: file });
    try {
      expect(await client(server).dbsize()).toBe(0);
      expect(readdirSync(dir).some((name) => name.startsWith("redis.json.unreadable-"))).toBe(true);
    } finally {
      await server.close();
    }
  });
});

const redisServer = findRedisServerBinary();

describe.skipIf(!redisServer && process.env.CI !== "true")("a redis-server started by the stack", () => {
  it("keeps its data in the state folder across a restart", async () => {
    const state = scratch();
    const choice = chooseRedisBackend({ useRedisServer: true });
    expect(choice.kind).toBe("redis-server");
    const first = await startRedisBackend(choice, { port: 0 }, state);
    expect(first.description).toContain(`data in ${join(state, "redis-server")}/`);
    await client(first.server).set("user:1", "Ada");
    await first.close();

    const second = await startRedisBackend(choice, { port: 0 }, state);
    try {
      expect(await client(second.server).get("user:1")).toBe("Ada");
    } finally {
      await second.close();
    }
  });
});
