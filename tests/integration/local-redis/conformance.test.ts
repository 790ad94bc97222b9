import { createHash } from "node:crypto";
import { errors, Redis, type RedisConfigNodejs } from "@upstash/redis";
import { describe, expect, it } from "vitest";
import { redisBackends, useRedisBackend } from "./backends";

// One test per item of the emulator checklist in the Upstash Redis REST spec,
// through the official client with default options (auto-pipelining and base64
// responses on), plus raw HTTP where the wire format itself is the point.

const sha1 = (text: string) => createHash("sha1").update(text).digest("hex");
const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");

describe.each(redisBackends)("Upstash REST emulator on the $label", (backend) => {
  const ctx = useRedisBackend(backend);
  if (!ctx.ready) return;

  const client = (options: Partial<RedisConfigNodejs> = {}) =>
    new Redis({ url: ctx.server().url, token: ctx.server().token, ...options });

  async function rest(
    path: string,
    body: unknown,
    init: { token?: string | null; base64?: boolean; headers?: Record<string, string> } = {},
  ) {
    const headers: Record<string, string> = { "content-type": "application/json", ...init.headers };
    const token = init.token === undefined ? ctx.server().token : init.token;
    if (token !== null) headers.authorization = `Bearer ${token}`;
    if (init.base64) headers["upstash-encoding"] = "base64";
    const response = await fetch(`${ctx.server().url}${path}`, { method: "POST", headers, body: JSON.stringify(body) });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, json: JSON.parse(text) as unknown };
  }

  describe("requests", () => {
    it("accepts mixed string, number, boolean and null arguments and any command-name case", async () => {
      expect((await rest("/", ["sEt", "n", 42])).json).toEqual({ result: "OK" });
      await rest("/", ["RPUSH", "mixed", "a", 1, 2.5, true, false, null, 1795421841498]);
      expect((await rest("/", ["lrange", "mixed", 0, -1])).json).toEqual({
        result: ["a", "1", "2.5", "true", "false", "", "1795421841498"],
      });
      const redis = client();
      await redis.set("flag", true);
      expect(await redis.get("flag")).toBe(true);
      expect(await redis.incrby("n", 8)).toBe(50);
    });

    it("serves POST /, /pipeline and /multi-exec with one result per command", async () => {
      expect((await rest("/", ["SET", "k", "v"])).json).toEqual({ result: "OK" });
      expect(
        (
          await rest("/pipeline", [
            ["GET", "k"],
            ["EXISTS", "k", "nope"],
          ])
        ).json,
      ).toEqual([{ result: "v" }, { result: 1 }]);
      expect(
        (
          await rest("/multi-exec", [
            ["INCR", "c"],
            ["INCR", "c"],
          ])
        ).json,
      ).toEqual([{ result: 1 }, { result: 2 }]);

      const direct = client({ enableAutoPipelining: false });
      const [set, got] = await client().pipeline().set("p", "1").get("p").exec();
      expect([set, got]).toEqual(["OK", 1]);
      expect(await direct.get("p")).toBe(1);
      expect(await client().multi().incr("p").incr("p").exec()).toEqual([2, 3]);
    });

    it("rejects a missing or wrong token with 401 {error: Unauthorized}", async () => {
      for (const token of [null, "wrong-token"]) {
        const response = await rest("/pipeline", [["GET", "k"]], { token });
        expect(response.status).toBe(401);
        expect(response.json).toEqual({ error: "Unauthorized" });
      }
      await expect(client({ token: "wrong-token" }).get("k")).rejects.toThrow(/Unauthorized/);
      await expect(client({ token: "wrong-token", enableAutoPipelining: false }).get("k")).rejects.toBeInstanceOf(
        errors.UpstashError,
      );
    });

    it("answers nil with an explicit result key", async () => {
      expect((await rest("/", ["GET", "missing"])).text).toBe('{"result":null}');
      expect((await rest("/pipeline", [["GET", "missing"]])).text).toBe('[{"result":null}]');
      expect(await client().get("missing")).toBeNull();
      expect(await client({ enableAutoPipelining: false }).get("missing")).toBeNull();
    });

    it("keeps pipeline errors inline with HTTP 200", async () => {
      const raw = await rest("/pipeline", [
        ["SET", "s", "abc"],
        ["INCR", "s"],
        ["GET", "s"],
      ]);
      expect(raw.status).toBe(200);
      expect(raw.json).toEqual([{ result: "OK" }, { error: "ERR value is not an integer or out of range" }, { result: "abc" }]);

      const redis = client();
      const results = await redis.pipeline().set("s", "abc").incr("s").get("s").exec({ keepErrors: true });
      expect(results.map((item) => item.error)).toEqual([undefined, "ERR value is not an integer or out of range", undefined]);
      await expect(redis.pipeline().incr("s").exec()).rejects.toThrow(/Command 1 \[ incr \] failed: ERR value is not an integer/);
      await expect(redis.incr("s")).rejects.toThrow(/ERR value is not an integer/);
    });

    it("answers a failing single command with 400 {error: ERR ...}", async () => {
      await rest("/", ["SET", "s", "abc"]);
      const response = await rest("/", ["INCR", "s"]);
      expect(response.status).toBe(400);
      expect(response.json).toEqual({ error: "ERR value is not an integer or out of range" });
      await expect(client({ enableAutoPipelining: false }).incr("s")).rejects.toThrow(/ERR value is not an integer/);
      expect((await rest("/", ["GET"])).json).toEqual({ error: "ERR wrong number of arguments for 'get' command" });
    });

    it("returns 405 for other methods and a welcome text on GET /", async () => {
      const url = ctx.server().url;
      const del = await fetch(`${url}/`, { method: "DELETE" });
      expect(del.status).toBe(405);
      expect(await del.json()).toEqual({ error: "Method not allowed" });
      const get = await fetch(`${url}/`);
      expect(get.status).toBe(200);
      expect(await get.text()).toMatch(/welcome/i);
    });

    it("accepts upstash-sync-token and returns a fresh one", async () => {
      const first = await rest("/", ["SET", "k", "v"], { headers: { "upstash-sync-token": "" } });
      const token = first.headers.get("upstash-sync-token");
      expect(token).toBeTruthy();
      const second = await rest("/", ["GET", "k"], { headers: { "upstash-sync-token": token! } });
      expect(second.json).toEqual({ result: "v" });
      expect(second.headers.get("upstash-sync-token")).not.toBe(token);
      expect(await client({ readYourWrites: true }).get("k")).toBe("v");
    });
  });

  describe("Upstash-Encoding: base64", () => {
    it("encodes every result string recursively, except OK; numbers, nil and errors stay", async () => {
      const options = { base64: true };
      expect((await rest("/", ["SET", "k", "bar"], options)).json).toEqual({ result: "OK" });
      expect((await rest("/", ["GET", "k"], options)).json).toEqual({ result: b64("bar") });
      expect((await rest("/", ["PING"], options)).json).toEqual({ result: b64("PONG") });
      await rest("/", ["RPUSH", "l", "x", "héllo ✓"]);
      const nested = await rest(
        "/pipeline",
        [
          ["LRANGE", "l", 0, -1],
          ["MGET", "k", "missing"],
          ["LLEN", "l"],
          ["INCR", "k"],
        ],
        options,
      );
      expect(nested.json).toEqual([
        { result: [b64("x"), b64("héllo ✓")] },
        { result: [b64("bar"), null] },
        { result: 2 },
        { error: "ERR value is not an integer or out of range" },
      ]);
      const script = await rest("/", ["EVAL", "return {'a', {'b', 7}}", 0], options);
      expect(script.json).toEqual({ result: [b64("a"), [b64("b"), 7]] });
      expect((await rest("/", ["GET", "k"])).json).toEqual({ result: "bar" });
    });

    it("round-trips values that are themselves valid base64", async () => {
      const redis = client();
      for (const value of ["test", "abcd", "OK", "YmFy", "", "héllo ✓", "1234 apples"]) {
        await redis.set("v", value);
        expect(await redis.get("v")).toBe(value);
      }
      await redis.rpush("list", "test", "abcd");
      expect(await redis.lrange("list", 0, -1)).toEqual(["test", "abcd"]);
    });
  });

  describe("values", () => {
    it("stores raw bytes and never parses JSON", async () => {
      const text = '{ "a" : 1,\n  "b": [1, 2.50] }';
      await rest("/", ["SET", "raw", text]);
      expect((await rest("/", ["GET", "raw"])).json).toEqual({ result: text });
      expect(await client({ automaticDeserialization: false }).get("raw")).toBe(text);
      expect((await rest("/", ["STRLEN", "raw"])).json).toEqual({ result: Buffer.byteLength(text) });
    });

    it("round-trips JSON objects through the client's serialisation", async () => {
      const redis = client();
      const user = { id: "u_1", tags: ["a", "b"], nested: { n: 1, ok: true, none: null } };
      await redis.set("user", user);
      expect(await redis.get("user")).toEqual(user);
      await redis.hset("h", { profile: user, count: 2 });
      expect(await redis.hgetall("h")).toEqual({ profile: user, count: 2 });
    });
  });

  describe("scripts", () => {
    it("runs EVAL and caches the script under its SHA-1 for EVALSHA", async () => {
      const redis = client();
      const source = "return {KEYS[1], ARGV[1], 42}";
      expect(await redis.eval(source, ["k1"], ["a1"])).toEqual(["k1", "a1", 42]);
      expect(await redis.evalsha(sha1(source), ["k2"], ["a2"])).toEqual(["k2", "a2", 42]);
    });

    it("loads scripts with SCRIPT LOAD, reports them with SCRIPT EXISTS, and says NOSCRIPT for unknown ones", async () => {
      const redis = client();
      const source = "return redis.call('INCRBY', KEYS[1], ARGV[1])";
      expect(await redis.scriptLoad(source)).toBe(sha1(source));
      expect(await redis.evalsha(sha1(source), ["n"], [5])).toBe(5);
      expect(await redis.scriptExists(sha1(source), sha1("never loaded"))).toEqual([1, 0]);
      await expect(redis.evalsha(sha1("never loaded"), [], [])).rejects.toThrow(/NOSCRIPT/);
      const missing = await rest("/", ["EVALSHA", sha1("never loaded"), 0]);
      expect(missing.status).toBe(400);
      expect(String((missing.json as { error: string }).error)).toMatch(/^NOSCRIPT/);
    });

    it("compiles on SCRIPT LOAD: a broken script is an ERR compile error, and neither it nor a failed EVAL is kept", async () => {
      const broken = "return +";
      const loaded = await rest("/", ["SCRIPT", "LOAD", broken]);
      expect(loaded.status).toBe(400);
      expect(String((loaded.json as { error: string }).error)).toMatch(/^ERR Error compiling script/);
      const evaluated = await rest("/", ["EVAL", `${broken} 1`, 0]);
      expect(String((evaluated.json as { error: string }).error)).toMatch(/^ERR Error compiling script/);
      // A shebang script is compiled without its first line, as it runs.
      const shebang = "#!lua flags=allow-key-locking\nreturn redis.call(";
      expect(String(((await rest("/", ["SCRIPT", "LOAD", shebang])).json as { error: string }).error)).toMatch(
        /^ERR Error compiling script/,
      );
      const redis = client();
      expect(await redis.scriptExists(sha1(broken), sha1(`${broken} 1`), sha1(shebang))).toEqual([0, 0, 0]);
      await expect(redis.evalsha(sha1(broken), [], [])).rejects.toThrow(/NOSCRIPT/);
      expect(await redis.scriptLoad("return 1")).toBe(sha1("return 1"));
    });

    it("treats a script that failed to compile as unknown in the rest of the same pipeline", async () => {
      const [load, exists, evalsha] = (
        await rest("/pipeline", [
          ["SCRIPT", "LOAD", "return -"],
          ["SCRIPT", "EXISTS", sha1("return -")],
          ["EVALSHA", sha1("return -"), 0],
        ])
      ).json as Array<{ result?: unknown; error?: string }>;
      expect(load!.error).toMatch(/^ERR Error compiling script/);
      expect(exists).toEqual({ result: [0] });
      expect(evalsha!.error).toMatch(/^NOSCRIPT/);
    });

    it("never passes off INFO or COMMAND from a script as an empty reply", async () => {
      const info = await rest("/", ["EVAL", "return type(redis.call('INFO'))", 0]);
      const count = await rest("/", ["EVAL", "return redis.call('COMMAND', 'COUNT')", 0]);
      if (backend.label === "embedded engine") {
        // Its INFO and COMMAND answer asynchronously, which a running script cannot wait for.
        expect(info.json).toEqual({ error: expect.stringMatching(/^ERR 'info' cannot be called from a script/) });
        expect(count.json).toEqual({ error: expect.stringMatching(/^ERR 'command' cannot be called from a script/) });
      } else {
        expect(info.json).toEqual({ result: "string" });
        expect(count.json).toEqual({ result: expect.any(Number) });
      }
    });

    it("runs #!lua flags=allow-key-locking scripts under the SHA-1 of the original text", async () => {
      const redis = client();
      const source = "#!lua flags=allow-key-locking\nreturn redis.call('SET', KEYS[1], ARGV[1])";
      expect(await redis.scriptLoad(source)).toBe(sha1(source));
      expect(await redis.evalsha(sha1(source), ["locked"], ["1"])).toBe("OK");
      expect(await redis.eval(source, ["locked"], ["2"])).toBe("OK");
      const script = redis.createScript<number>(`#!lua flags=allow-key-locking\nreturn redis.call('INCR', KEYS[1])`);
      expect(await script.exec(["counter"], [])).toBe(1);
      expect(await script.exec(["counter"], [])).toBe(2);
    });

    it("converts Lua values like Redis: false is nil, numbers truncate, tables stop at nil", async () => {
      const redis = client({ automaticDeserialization: false });
      await redis.hset("h", { f: "1" });
      const source = "return {1, 2.9, -2.9, false, 'x', {true}, redis.call('HMGET', KEYS[1], 'f', 'missing')[2] == false}";
      expect(await redis.eval(source, ["h"], [])).toEqual([1, 2, -2, null, "x", [1], 1]);
      expect(await redis.eval("return {1, nil, 3}", [], [])).toEqual([1]);
      await expect(redis.eval("return redis.error_reply('MYERR custom')", [], [])).rejects.toThrow(/MYERR custom/);
      expect(await redis.eval("return redis.status_reply('FINE')", [], [])).toBe("FINE");
    });

    it("gives a script fresh KEYS and ARGV on every run, through EVAL and EVALSHA alike", async () => {
      const redis = client({ automaticDeserialization: false });
      const source = "return {#KEYS, #ARGV, KEYS[1] or false, ARGV[#ARGV] or false}";
      const other = "return {ARGV[1], KEYS[1]}";
      expect(await redis.eval(source, ["a", "b", "c"], ["1", "2", "3"])).toEqual([3, 3, "a", "3"]);
      expect(await redis.eval(other, ["x"], ["y"])).toEqual(["y", "x"]);
      expect(await redis.evalsha(sha1(source), ["k"], [])).toEqual([1, 0, "k", null]);
      expect(await redis.eval(source, [], ["only"])).toEqual([0, 1, null, "only"]);
      expect(await redis.evalsha(sha1(source), [], [])).toEqual([0, 0, null, null]);
    });

    it("does not let a global set by one script reach a later run", async () => {
      // Redis refuses globals (and reading a missing one); the embedded engine gives
      // every run its own global table. Either way nothing survives the run.
      const redis = client({ automaticDeserialization: false });
      const setGlobals = [
        "pcall(function() leaked = ARGV[1] end)",
        "pcall(function() _G.leaked_g = ARGV[1] end)",
        "pcall(function() rawset(_G, 'leaked_raw', ARGV[1]) end)",
        "pcall(function() redis.call = function() return 'hijacked' end end)",
        "return 1",
      ].join("\n");
      const readGlobals = [
        "local ok, plain = pcall(function() return leaked end)",
        "return {ok and plain or false, rawget(_G, 'leaked_g') or false, rawget(_G, 'leaked_raw') or false,",
        "  redis.call('INCR', KEYS[1])}",
      ].join("\n");
      expect(await redis.eval(setGlobals, [], ["secret"])).toBe(1);
      expect(await redis.eval(readGlobals, ["k"], [])).toEqual([null, null, null, 1]);
      // The same script twice: its second run starts without what the first defined.
      const counter =
        "local ok, seen = pcall(function() return runs end)\npcall(function() runs = 1 end)\nreturn ok and seen or false";
      expect(await redis.eval(counter, [], [])).toBeNull();
      expect(await redis.evalsha(sha1(counter), [], [])).toBeNull();
    });

    it("passes values between Lua and Redis like Redis: empty strings, large numbers, number arguments", async () => {
      const redis = client({ automaticDeserialization: false });
      await redis.set("empty", "");
      expect(await redis.eval("return {redis.call('GET', KEYS[1]), redis.call('GET', 'missing')}", ["empty"], [])).toEqual([
        "",
        null,
      ]);
      const nowMs = "1795421841498";
      expect(await redis.eval("return tonumber(ARGV[1]) + 1000", [], [nowMs])).toBe(1795421842498);
      const store =
        "redis.call('SET', KEYS[1], tonumber(ARGV[1]) + 1)\nredis.call('SET', KEYS[2], 5)\nreturn redis.call('MGET', KEYS[1], KEYS[2])";
      expect(await redis.eval(store, ["big", "small"], [nowMs])).toEqual(["1795421841499", "5"]);
      await expect(redis.eval("return redis.call('NOSUCHCOMMAND')", [], [])).rejects.toThrow(
        /Unknown Redis command called from script/,
      );
    });

    it("keeps running every script after many distinct ones were compiled", async () => {
      const sources = Array.from({ length: 600 }, (_, i) => `return {${i}, KEYS[1]}`);
      const response = await rest(
        "/pipeline",
        sources.map((source, i) => ["EVAL", source, 1, `k${i}`]),
      );
      const results = response.json as { result: unknown }[];
      expect(results).toHaveLength(600);
      expect(results[599]).toEqual({ result: [599, "k599"] });
      expect((await rest("/", ["EVAL", sources[0], 1, "again"])).json).toEqual({ result: [0, "again"] });
      expect((await rest("/", ["EVALSHA", sha1(sources[1]!), 1, "sha"])).json).toEqual({ result: [1, "sha"] });
    });

    it("compare-and-deletes a lock with EVAL", async () => {
      const redis = client();
      const release = 'if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) else return 0 end';
      expect(await redis.set("lock", "owner-a", { nx: true, px: 30_000 })).toBe("OK");
      expect(await redis.eval(release, ["lock"], ["owner-b"])).toBe(0);
      expect(await redis.get("lock")).toBe("owner-a");
      expect(await redis.eval(release, ["lock"], ["owner-a"])).toBe(1);
      expect(await redis.exists("lock")).toBe(0);
    });
  });

  describe("expiry", () => {
    it("implements EX, PX, PEXPIRE and TTL", async () => {
      const redis = client();
      await redis.set("ex", "v", { ex: 60 });
      const ttl = await redis.ttl("ex");
      expect(ttl).toBeGreaterThan(55);
      expect(ttl).toBeLessThanOrEqual(60);
      await redis.set("px", "v", { px: 1_500 });
      const pttl = await redis.pttl("px");
      expect(pttl).toBeGreaterThan(0);
      expect(pttl).toBeLessThanOrEqual(1_500);
      await redis.set("plain", "v");
      expect(await redis.ttl("plain")).toBe(-1);
      expect(await redis.ttl("missing")).toBe(-2);
      expect(await redis.pexpire("plain", 90_000)).toBe(1);
      expect(await redis.pttl("plain")).toBeGreaterThan(80_000);
    });

    it("deletes a key whose expiry is already in the past", async () => {
      const redis = client();
      await redis.set("gone", "v");
      expect(await redis.pexpireat("gone", Date.now() - 1_000)).toBe(1);
      expect(await redis.get("gone")).toBeNull();
      expect(await redis.exists("gone")).toBe(0);
    });

    it("sets a key only once with SET NX PX", async () => {
      const redis = client();
      expect(await redis.set("once", "first", { nx: true, px: 10_000 })).toBe("OK");
      expect(await redis.set("once", "second", { nx: true, px: 10_000 })).toBeNull();
      expect(await redis.get("once")).toBe("first");
      const pttl = await redis.pttl("once");
      expect(pttl).toBeGreaterThan(0);
      expect(pttl).toBeLessThanOrEqual(10_000);
    });
  });

  describe("transactions", () => {
    it("runs /multi-exec atomically: concurrent readers never see half a transaction", async () => {
      const redis = client();
      await redis.mset({ a: 0, b: 0 });
      const writers = Array.from({ length: 20 }, () => redis.multi().incr("a").incr("b").exec());
      const readers = Array.from({ length: 20 }, () => redis.mget<[number, number]>("a", "b"));
      const snapshots = await Promise.all(readers);
      await Promise.all(writers);
      for (const [a, b] of snapshots) expect(a).toBe(b);
      expect(await redis.mget("a", "b")).toEqual([20, 20]);
    });

    it("keeps running a transaction after a runtime error in one command", async () => {
      const redis = client();
      const results = await redis.multi().set("s", "abc").incr("s").set("after", 1).exec({ keepErrors: true });
      expect(results.map((item) => item.error)).toEqual([undefined, "ERR value is not an integer or out of range", undefined]);
      expect(await redis.get("after")).toBe(1);
    });

    it("discards the whole transaction when a command is malformed", async () => {
      const response = await rest("/multi-exec", [["SET", "x", "1"], ["GET"]]);
      expect(response.status).toBe(400);
      expect(String((response.json as { error: string }).error)).toMatch(/^EXECABORT/);
      expect((await rest("/", ["EXISTS", "x"])).json).toEqual({ result: 0 });
    });
  });

  describe("parity details", () => {
    it("reports WRONGTYPE, arity and unknown-command errors like Redis", async () => {
      await rest("/", ["SET", "str", "v"]);
      const results = await rest("/pipeline", [["LPUSH", "str", "x"], ["HGET", "str", "f"], ["GET"], ["NOSUCHCOMMAND", "a"]]);
      const [lpush, hget, get, unknown] = results.json as { error: string }[];
      expect(lpush!.error).toBe("WRONGTYPE Operation against a key holding the wrong kind of value");
      expect(hget!.error).toBe("WRONGTYPE Operation against a key holding the wrong kind of value");
      expect(get!.error).toBe("ERR wrong number of arguments for 'get' command");
      expect(unknown!.error).toMatch(/^ERR unknown command 'NOSUCHCOMMAND'/);
    });

    it("treats option keywords case-insensitively", async () => {
      const redis = client();
      await redis.zadd("z", { score: 2, member: "b" }, { score: 1, member: "a" });
      expect(await redis.zadd("z", { nx: true }, { score: 5, member: "a" })).toBe(0);
      expect(await redis.zrange("z", 0, -1, { withScores: true })).toEqual(["a", 1, "b", 2]);
      await redis.set("k1", "v");
      const [cursor, keys] = await redis.scan(0, { match: "k*", count: 100 });
      expect(cursor).toBe("0");
      expect(keys).toEqual(["k1"]);
    });

    it("rejects commands that need a dedicated connection", async () => {
      const response = await rest("/", ["SUBSCRIBE", "channel"]);
      expect(response.status).toBe(400);
      expect(String((response.json as { error: string }).error)).toMatch(/not supported/);
    });
  });
});
