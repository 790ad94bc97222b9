import { describe, expect, test } from "vitest";
import { LOCAL_QSTASH_TOKEN, resolveQStash, resolveRedis } from "@/scripts/lib/credentials";

const answering = (ok: boolean, seen: string[] = []) =>
  (async (input: RequestInfo | URL, init?: RequestInit) => {
    seen.push(`${init?.method ?? "GET"} ${String(input)} ${new Headers(init?.headers).get("authorization")}`);
    return new Response("{}", { status: ok ? 200 : 401 });
  }) as typeof fetch;
const refusing = (async () => {
  throw new TypeError("fetch failed");
}) as typeof fetch;

describe("resolveQStash", () => {
  test("configured credentials win and nothing is probed", async () => {
    const notices: string[] = [];
    const seen: string[] = [];
    const resolved = await resolveQStash(
      { QSTASH_URL: "https://q.example/", QSTASH_TOKEN: "tok" },
      (m) => notices.push(m),
      answering(true, seen),
    );
    expect(resolved).toEqual({ url: "https://q.example", token: "tok", source: "env" });
    expect(await resolveQStash({ QSTASH_TOKEN: "tok" }, () => {}, refusing)).toMatchObject({ url: "https://qstash.upstash.io" });
    expect(seen).toEqual([]);
    expect(notices).toEqual([]);
  });

  test("without a token, a local stack answering /v2/keys is used with a notice", async () => {
    const notices: string[] = [];
    const seen: string[] = [];
    const resolved = await resolveQStash({ QSTASH_DEV_PORT: "9999" }, (m) => notices.push(m), answering(true, seen));
    expect(resolved).toEqual({ url: "http://127.0.0.1:9999", token: LOCAL_QSTASH_TOKEN, source: "local" });
    expect(seen).toEqual([`GET http://127.0.0.1:9999/v2/keys Bearer ${LOCAL_QSTASH_TOKEN}`]);
    expect(notices[0]).toContain("using the local stack at http://127.0.0.1:9999");
  });

  test("nothing configured and nothing local is a clear error", async () => {
    await expect(resolveQStash({}, () => {}, refusing)).rejects.toThrow(/QSTASH_TOKEN is not set.*npm run dev/s);
    await expect(resolveQStash({}, () => {}, answering(false))).rejects.toThrow(/QSTASH_TOKEN is not set/);
  });
});

describe("resolveRedis", () => {
  test("uses the configured REST credentials, else the local stack's Redis", async () => {
    expect(
      await resolveRedis({ UPSTASH_REDIS_REST_URL: "https://r.example", UPSTASH_REDIS_REST_TOKEN: "t" }, () => {}, refusing),
    ).toMatchObject({ source: "env" });
    expect(await resolveRedis({}, () => {}, answering(true))).toMatchObject({ url: "http://127.0.0.1:8079", source: "local" });
    await expect(resolveRedis({}, () => {}, refusing)).rejects.toThrow(/UPSTASH_REDIS_REST_URL/);
    // Half-configured is a mistake to report, not a reason to read someone else's Redis.
    await expect(resolveRedis({ UPSTASH_REDIS_REST_URL: "https://r.example" }, () => {}, answering(true))).rejects.toThrow(
      /must be set/,
    );
  });
});
