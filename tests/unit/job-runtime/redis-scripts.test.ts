import { createHash } from "node:crypto";
import { http, HttpResponse } from "msw";
import { describe, expect, test } from "vitest";
import { ConfigError, createRedisScripts, UpstashError, UpstashJSONParseError } from "@/lib/job-runtime";
import { setupMsw } from "../../helpers/msw";

const URL_ = "https://redis.test";
const TOKEN = "tok_1";
const SCRIPT = "return {KEYS[1], ARGV[1]}";
const SHA = createHash("sha1").update(SCRIPT).digest("hex");
const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");

interface Seen {
  body: unknown;
  headers: Record<string, string>;
}

/** An endpoint that answers each POST with the next reply and records what it was sent. */
function scripted(replies: Array<() => Response>) {
  const seen: Seen[] = [];
  const handler = http.post(`${URL_}/`, async ({ request }) => {
    seen.push({ body: await request.json(), headers: Object.fromEntries(request.headers) });
    const reply = replies.shift();
    if (!reply) throw new Error("more requests than scripted replies");
    return reply();
  });
  return { seen, handler };
}

const server = setupMsw();
const client = (options: Partial<Parameters<typeof createRedisScripts>[0]> = {}) =>
  createRedisScripts({ url: URL_, token: TOKEN, backoff: () => 0, ...options });

describe("createRedisScripts", () => {
  test("calls the script by SHA with the official client's headers and decodes the base64 reply", async () => {
    const { seen, handler } = scripted([
      () =>
        HttpResponse.json({ result: [b64("claimed"), 3, null, [b64("nested")]] }, { headers: { "upstash-sync-token": "s1" } }),
    ]);
    server.use(handler);
    const result = await client().createScript(SCRIPT).exec(["k1"], ["a1"]);
    expect(result).toEqual(["claimed", 3, null, ["nested"]]);
    expect(seen[0]!.body).toEqual(["evalsha", SHA, 1, "k1", "a1"]);
    expect(seen[0]!.headers).toMatchObject({
      "content-type": "application/json",
      authorization: `Bearer ${TOKEN}`,
      "upstash-encoding": "base64",
      "upstash-sync-token": "",
    });
    expect(Object.keys(seen[0]!.headers).some((name) => name.startsWith("upstash-telemetry"))).toBe(false);
  });

  test("falls back to EVAL with the source when Redis has not seen the script (NOSCRIPT)", async () => {
    const { seen, handler } = scripted([
      () => HttpResponse.json({ error: "NOSCRIPT No matching script. Please use EVAL." }, { status: 400 }),
      () => HttpResponse.json({ result: b64("done") }),
    ]);
    server.use(handler);
    expect(await client().createScript(SCRIPT).exec(["k1"], ["a1"])).toBe("done");
    expect(seen.map((request) => request.body)).toEqual([
      ["evalsha", SHA, 1, "k1", "a1"],
      ["eval", SCRIPT, 1, "k1", "a1"],
    ]);
  });

  test("carries the read-your-writes sync token of each answer to the next request", async () => {
    const { seen, handler } = scripted([
      () => HttpResponse.json({ result: 1 }, { headers: { "upstash-sync-token": "tok-a" } }),
      () => HttpResponse.json({ result: 2 }, { headers: { "upstash-sync-token": "tok-b" } }),
      () => HttpResponse.json({ result: 3 }),
      () => HttpResponse.json({ result: 4 }),
    ]);
    server.use(handler);
    const script = client().createScript(SCRIPT);
    for (let i = 0; i < 4; i++) await script.exec([], []);
    expect(seen.map((request) => request.headers["upstash-sync-token"])).toEqual(["", "tok-a", "tok-b", ""]);
  });

  test("a Redis error is thrown as the SDK's UpstashError, with the command, and is not retried", async () => {
    const { seen, handler } = scripted([() => HttpResponse.json({ error: "ERR wrong type" }, { status: 400 })]);
    server.use(handler);
    const error = await client()
      .createScript(SCRIPT)
      .exec(["k"], ["v"])
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UpstashError);
    expect(error).toMatchObject({ name: "UpstashError", message: `ERR wrong type, command was: ["evalsha","${SHA}",1,"k","v"]` });
    expect(seen).toHaveLength(1);
  });

  test("an error inside a 200, a reply without a result and a body that is not JSON fail like the SDK", async () => {
    server.use(
      scripted([
        () => HttpResponse.json({ error: "ERR script failed" }),
        () => HttpResponse.json({}),
        () => new HttpResponse("<html>bad gateway</html>", { status: 502 }),
        () => HttpResponse.json({ error: "Unauthorized" }, { status: 401 }),
      ]).handler,
    );
    const script = client().createScript(SCRIPT);
    const run = () => script.exec([], []).catch((caught: unknown) => caught);
    expect(await run()).toMatchObject({ name: "UpstashError", message: "ERR script failed" });
    expect(await run()).toMatchObject({ name: "TypeError", message: "Request did not return a result" });
    const parse = await run();
    expect(parse).toBeInstanceOf(UpstashJSONParseError);
    expect(parse).toMatchObject({ message: "Unable to parse response body: <html>bad gateway</html>" });
    expect(await run()).toMatchObject({ message: `Unauthorized, command was: ["evalsha","${SHA}",0]` });
  });

  test("retries a request that got no answer, a bounded number of times, waiting the backoff between", async () => {
    let calls = 0;
    server.use(
      http.post(`${URL_}/`, () => {
        calls++;
        return calls < 3 ? HttpResponse.error() : HttpResponse.json({ result: 7 });
      }),
    );
    const waits: number[] = [];
    const backoff = (retry: number) => {
      waits.push(retry);
      return 0;
    };
    expect(await client({ backoff }).createScript(SCRIPT).exec([], [])).toBe(7);
    expect(calls).toBe(3);
    expect(waits).toEqual([0, 1]);

    calls = -100;
    const failing = client({ retries: 2, backoff: () => 0 }).createScript(SCRIPT);
    await expect(failing.exec([], [])).rejects.toThrow(TypeError);
    expect(calls).toBe(-97);
  });

  test("sends a single command as it is, and reads OK and nil as the SDK does", async () => {
    const { seen, handler } = scripted([() => HttpResponse.json({ result: "OK" }), () => HttpResponse.json({ result: null })]);
    server.use(handler);
    const redis = client();
    expect(await redis.command(["set", "k", "v", "nx", "px", 1_000])).toBe("OK");
    expect(await redis.command(["set", "k", "v", "nx", "px", 1_000])).toBeNull();
    expect(seen.map((request) => request.body)).toEqual([
      ["set", "k", "v", "nx", "px", 1_000],
      ["set", "k", "v", "nx", "px", 1_000],
    ]);
  });

  test("names the missing variable instead of failing on the first command", () => {
    expect(() => createRedisScripts({ url: undefined, token: TOKEN })).toThrow(ConfigError);
    expect(() => createRedisScripts({ url: URL_, token: "" })).toThrow(/UPSTASH_REDIS_REST_TOKEN/);
    try {
      createRedisScripts({ url: "", token: undefined });
    } catch (error) {
      expect(error).toMatchObject({ variables: ["UPSTASH_REDIS_REST_URL", "UPSTASH_REDIS_REST_TOKEN"] });
    }
    expect.assertions(3);
  });
});
