import { describe, expect, it } from "vitest";
import { email, useTestResend } from "@/tests/helpers/local-resend";
import { RESEND_RATE_LIMIT_PER_SECOND, rateLimitFromEnv } from "@/local/resend/server";

describe("local Resend: rate limit at Resend's 2 requests per second", () => {
  const ctx = useTestResend({ rateLimitPerSecond: RESEND_RATE_LIMIT_PER_SECOND });

  it("answers 429 rate_limit_exceeded with retry-after visible in result.headers", async () => {
    const { client, server } = ctx();
    const first = await client().emails.send(email());
    const second = await client().emails.send(email());
    const third = await client().emails.send(email());
    expect(first.headers).toMatchObject({ "ratelimit-limit": "2", "ratelimit-remaining": "1", "ratelimit-reset": "1" });
    expect(second.headers).toMatchObject({ "ratelimit-remaining": "0" });
    expect(third.data).toBeNull();
    expect(third.error).toMatchObject({ statusCode: 429, name: "rate_limit_exceeded" });
    expect(third.headers).toMatchObject({ "retry-after": "1", "ratelimit-remaining": "0" });
    expect(server.emails()).toHaveLength(2);
  });

  it("opens a new window after a second of emulator time", async () => {
    const { client, clock } = ctx();
    await client().emails.send(email());
    await client().emails.send(email());
    expect((await client().emails.send(email())).error?.name).toBe("rate_limit_exceeded");
    await clock.advance(1_000);
    expect((await client().emails.send(email())).error).toBeNull();
  });

  it("counts each API key separately and counts reads too", async () => {
    const { client } = ctx();
    const sent = await client("re_key_a").emails.send(email());
    await client("re_key_a").emails.get(sent.data!.id);
    expect((await client("re_key_a").emails.get(sent.data!.id)).error?.name).toBe("rate_limit_exceeded");
    expect((await client("re_key_b").emails.send(email())).error).toBeNull();
  });
});

describe("local Resend: default rate limit", () => {
  const ctx = useTestResend({ rateLimitPerSecond: undefined });

  it("is generous (10 per second) for local development", async () => {
    const { client } = ctx();
    const results = [];
    for (let i = 0; i < 11; i++) results.push(await client().emails.send(email()));
    expect(results.slice(0, 10).every((r) => r.error === null)).toBe(true);
    expect(results[0]!.headers).toMatchObject({ "ratelimit-limit": "10" });
    expect(results[10]!.error?.name).toBe("rate_limit_exceeded");
  });
});

describe("local Resend: RESEND_RATE_LIMIT_PER_SECOND (npm run stack / npm run dev)", () => {
  it("defaults to Resend's own 2 per second when unset or empty, like the app's pace", () => {
    expect(rateLimitFromEnv(undefined)).toBe(2);
    expect(rateLimitFromEnv("")).toBe(2);
  });

  it("takes a raised plan's limit", () => {
    expect(rateLimitFromEnv("10")).toBe(10);
    expect(rateLimitFromEnv(" 5 ")).toBe(5);
  });

  it.each(["0", "-1", "1.5", "two", "2/s"])("refuses %j with a message naming the variable", (value) => {
    expect(() => rateLimitFromEnv(value)).toThrow(/RESEND_RATE_LIMIT_PER_SECOND/);
  });
});
