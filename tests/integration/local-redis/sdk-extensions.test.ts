import { Redis } from "@upstash/redis";
import { describe, expect, it } from "vitest";
import { redisBackends, useRedisBackend } from "./backends";

// Through the official @upstash/redis client: the commands the embedded engine
// used to lack, Upstash's /subscribe and /psubscribe streams (both backends) and
// Upstash's JSON.* (the embedded engine; a stock redis-server has no RedisJSON).

/** Resolves with the first event of `type` the subscriber dispatches. */
function next<T>(subscriber: { on(type: string, listener: (data: T) => void): void }, type: string): Promise<T> {
  return new Promise((resolve) => subscriber.on(type, resolve));
}

describe.each(redisBackends)("@upstash/redis on the $label", (backend) => {
  const ctx = useRedisBackend(backend);
  if (!ctx.ready) return;
  const client = () => new Redis({ url: ctx.server().url, token: ctx.server().token });

  it("GEO: add, distance, position, hash and search", async () => {
    const redis = client();
    expect(
      await redis.geoadd(
        "g",
        { longitude: 13.361389, latitude: 38.115556, member: "Palermo" },
        { longitude: 15.087269, latitude: 37.502669, member: "Catania" },
      ),
    ).toBe(2);
    expect(await redis.geodist("g", "Palermo", "Catania", "KM")).toBe(166.2742);
    expect(await redis.geohash("g", "Palermo")).toEqual(["sqc8b49rny0"]);
    expect(await redis.geopos("g", "Palermo")).toEqual([{ lng: 13.361389338970184, lat: 38.1155563954963 }]);
    const found = await redis.geosearch(
      "g",
      { type: "FROMLONLAT", coordinate: { lon: 15, lat: 37 } },
      { type: "BYRADIUS", radius: 200, radiusType: "KM" },
      "ASC",
      { withDist: true },
    );
    expect(found).toEqual([
      { member: "Catania", dist: 56.4413 },
      { member: "Palermo", dist: 190.4424 },
    ]);
    expect(
      await redis.geosearchstore(
        "near",
        "g",
        { type: "FROMMEMBER", member: "Palermo" },
        { type: "BYRADIUS", radius: 10, radiusType: "KM" },
        "ASC",
      ),
    ).toBe(1);
  });

  it("streams: groups, reads, acks, pending, info, delete and trim", async () => {
    const redis = client();
    await redis.xadd("s", "1-1", { n: "1" });
    await redis.xadd("s", "2-1", { n: "2" });
    expect(await redis.xgroup("s", { type: "CREATE", group: "g", id: "0" })).toBe("OK");
    const read = await redis.xreadgroup("g", "c", "s", ">", { count: 1 });
    expect(read).toEqual([["s", [["1-1", ["n", 1]]]]]);
    expect(await redis.xpending("s", "g", "-", "+", 10)).toEqual([["1-1", "c", expect.any(Number), 1]]);
    expect(await redis.xack("s", "g", "1-1")).toBe(1);
    const groups = await redis.xinfo("s", { type: "GROUPS" });
    expect(groups).toEqual([
      ["name", "g", "consumers", 1, "pending", 0, "last-delivered-id", "1-1", "entries-read", 1, "lag", 1],
    ]);
    expect(await redis.xdel("s", "1-1")).toBe(1);
    await redis.xadd("s", "3-1", { n: "3" });
    expect(await redis.xtrim("s", { strategy: "MAXLEN", exactness: "=", threshold: 1 })).toBe(1);
    expect(await redis.xrange("s", "-", "+")).toEqual({ "3-1": { n: 3 } });
    expect(await redis.type("s")).toBe("stream");
  });

  it("HyperLogLog, sorted-set algebra and the other commands that were missing", async () => {
    const redis = client();
    expect(await redis.pfadd("h1", "a", "b", "c")).toBe(1);
    await redis.pfadd("h2", "c", "d");
    expect(await redis.pfcount("h1", "h2")).toBe(4);
    expect(await redis.pfmerge("h3", "h1", "h2")).toBe("OK");

    await redis.zadd("a", { score: 1, member: "x" }, { score: 2, member: "y" });
    await redis.zadd("b", { score: 10, member: "y" }, { score: 20, member: "z" });
    expect(await redis.zunion(2, ["a", "b"], { withScores: true })).toEqual(["x", 1, "y", 12, "z", 20]);
    expect(await redis.zunionstore("u", 2, ["a", "b"], { weights: [2, 1], aggregate: "max" })).toBe(3);
    // ZINTER and ZRANDMEMBER have no SDK method; the differential test covers them over REST.
    expect(await redis.zinterstore("i", 2, ["a", "b"], { aggregate: "min" })).toBe(1);
    expect(await redis.zrange("i", 0, -1, { withScores: true })).toEqual(["y", 2]);
    expect(await redis.zdiffstore("d", 2, "a", "b")).toBe(1);
    expect(await redis.zrange("d", 0, -1)).toEqual(["x"]);
    await redis.zadd("lex", { score: 0, member: "a" }, { score: 0, member: "b" }, { score: 0, member: "c" });
    expect(await redis.zlexcount("lex", "[b", "+")).toBe(2);
    expect(await redis.zremrangebylex("lex", "-", "(c")).toBe(2);

    await redis.set("str", "foobar");
    expect(await redis.copy("str", "copy")).toBe("COPIED");
    expect(await redis.touch("str", "copy", "missing")).toBe(2);
    expect(await redis.bitpos("str", 1)).toBe(1);
    expect(await redis.bitop("and", "both", "str", "copy")).toBe(6);
    // The chained BITFIELD builder is only on a client without auto-pipelining.
    const direct = new Redis({ url: ctx.server().url, token: ctx.server().token, enableAutoPipelining: false });
    expect(await direct.bitfield("bf").set("u8", 0, 255).get("u8", 0).incrby("u8", 0, 10).exec()).toEqual([0, 255, 9]);
    await redis.sadd("s1", "1", "2", "3");
    await redis.sadd("s2", "2", "3", "4");
    expect(await redis.sintercard(["s1", "s2"])).toBe(2);
  });

  it("subscribe delivers published messages through /subscribe", async () => {
    const redis = client();
    const subscriber = redis.subscribe<{ hello: string }>(["news"]);
    try {
      expect(await next(subscriber, "subscribe")).toBe(1);
      const received = next(subscriber, "message");
      expect(await redis.publish("news", { hello: "world" })).toBe(1);
      expect(await received).toEqual({ channel: "news", message: { hello: "world" } });
    } finally {
      await subscriber.unsubscribe();
    }
  });

  it("psubscribe delivers messages of matching channels through /psubscribe", async () => {
    const redis = client();
    const subscriber = redis.psubscribe<{ id: string }>(["orders.*"]);
    try {
      expect(await next(subscriber, "psubscribe")).toBe(1);
      const received = next(subscriber, "pmessage");
      expect(await redis.publish("other", { id: "ignored" })).toBe(0);
      expect(await redis.publish("orders.paid", { id: "o1" })).toBe(1);
      expect(await received).toEqual({ pattern: "orders.*", channel: "orders.paid", message: { id: "o1" } });
    } finally {
      await subscriber.unsubscribe();
    }
  });

  it("a /subscribe stream needs the token", async () => {
    const response = await fetch(`${ctx.server().url}/subscribe/news`, { method: "POST", body: "[]" });
    expect(response.status).toBe(401);
  });

  if (backend.label === "embedded engine") {
    it("redis.json.*: set, get, paths, numbers, arrays, objects, strings, merge, delete", async () => {
      const redis = client();
      expect(await redis.json.set("doc", "$", { name: "Ada", tags: ["a"], n: 1, nested: { on: false } })).toBe("OK");
      expect(await redis.json.get("doc")).toEqual({ name: "Ada", tags: ["a"], n: 1, nested: { on: false } });
      expect(await redis.json.get("doc", "$.name")).toEqual(["Ada"]);
      expect(await redis.json.get("doc", "$.missing")).toEqual([]);
      expect(await redis.json.set("doc", "$.email", '"ada@example.test"')).toBe("OK");
      expect(await redis.json.set("doc", "$.name", '"Eve"', { nx: true })).toBeNull();
      expect(await redis.json.numincrby("doc", "$.n", 2)).toEqual([3]);
      expect(await redis.json.nummultby("doc", "$.n", 2)).toEqual([6]);
      expect(await redis.json.arrappend("doc", "$.tags", '"b"', '"c"')).toEqual([3]);
      expect(await redis.json.arrinsert("doc", "$.tags", 0, '"z"')).toEqual([4]);
      expect(await redis.json.arrindex("doc", "$.tags", '"b"')).toEqual([2]);
      expect(await redis.json.arrpop("doc", "$.tags", 0)).toEqual(["z"]);
      expect(await redis.json.arrtrim("doc", "$.tags", 0, 1)).toEqual([2]);
      expect(await redis.json.arrlen("doc", "$.tags")).toEqual([2]);
      expect(await redis.json.strappend("doc", "$.name", '"!"')).toEqual([4]);
      expect(await redis.json.strlen("doc", "$.name")).toEqual([4]);
      expect(await redis.json.toggle("doc", "$.nested.on")).toEqual([1]);
      expect(await redis.json.type("doc", "$.tags")).toEqual(["array"]);
      expect(await redis.json.objkeys("doc", "$.nested")).toEqual([["on"]]);
      expect(await redis.json.objlen("doc", "$")).toEqual([5]);
      expect(await redis.json.merge("doc", "$", { email: null, role: "admin" })).toBe("OK");
      expect(await redis.json.get("doc", "$..on")).toEqual([true]);
      expect(await redis.json.del("doc", "$.nested")).toBe(1);
      expect(await redis.json.get("doc")).toEqual({ name: "Ada!", tags: ["a", "b"], n: 6, role: "admin" });
      expect(await redis.json.mset({ key: "d2", path: "$", value: { x: 1 } })).toBe("OK");
      expect(await redis.json.mget(["doc", "d2", "missing"], "$.x")).toEqual([[], [1], null]);
      expect(await redis.json.clear("d2", "$")).toBe(1);
      expect(await redis.json.forget("d2")).toBe(1);
      expect(await redis.type("doc")).toBe("ReJSON-RL");
      await expect(redis.json.set("nope", "$.a", 1)).rejects.toThrow(/new objects must be created at the root/);
    });

    it("a Redis command the engine lacks is one error naming it and the way to a real Redis", async () => {
      await client().rpush("list", "b", "a");
      await expect(client().exec(["SORT", "list"])).rejects.toThrow(
        /unknown command 'sort' \(the embedded engine does not implement it; install redis-server.*REDIS_URL/,
      );
    });
  } else {
    it("JSON.* on a redis-server without the RedisJSON module is one clear error", async () => {
      await expect(client().json.set("doc", "$", { a: 1 })).rejects.toThrow(/no RedisJSON module/);
    });
  }
});
