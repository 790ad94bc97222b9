import { describe, expect, it } from "vitest";
import { defaultRetryDelayMs, retryDelayMs } from "@/local/qstash/backoff";
import { parseDestination } from "@/local/qstash/destination";
import { parseDurationMs, parseGoDurationMs, parseRetryAfterMs } from "@/local/qstash/duration";
import { compileRetryDelay } from "@/local/qstash/retry-expression";
import { signDelivery } from "@/local/qstash/signing";
import { parseFlowControlValue } from "@/local/qstash/publish-options";
import { nextCronTime } from "@/local/qstash/cron";

// The pure pieces behind §4, §3.2, §2.1 and §2.2, checked against the spec's own examples.

describe("local QStash: protocol pieces", () => {
  it("§13 reproduces the spec's signature test vector byte for byte", () => {
    const token = signDelivery({
      key: "sig_7kYjw48mhY7kAjqNGcy6cr29RJ6r",
      url: "http://localhost:3000/api/qstash",
      body: Buffer.from('{"hello":"world"}'),
      nowMs: 1767225600_000,
      jti: "jwt_test_0001",
    });
    expect(token).toBe(
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9" +
        ".eyJpc3MiOiJVcHN0YXNoIiwic3ViIjoiaHR0cDovL2xvY2FsaG9zdDozMDAwL2FwaS9xc3Rhc2giLCJleHAiOjE3NjcyMjU5MDAsIm5iZiI6MTc2NzIyNTYwMCwiaWF0IjoxNzY3MjI1NjAwLCJqdGkiOiJqd3RfdGVzdF8wMDAxIiwiYm9keSI6Ims2STVjYWtVNWVyTDhLalNVVlROb3duRHdjY3Z1NWtVMUh4Zzg4dG9GWWc9In0" +
        ".LTHs4WRJdGorbK6B8LNuV7vFnL-hT8rLpTCeJikO-PM",
    );
    const empty = signDelivery({ key: "k", url: "http://x/", body: Buffer.alloc(0), nowMs: 0, jti: "j" });
    expect(JSON.parse(Buffer.from(empty.split(".")[1]!, "base64url").toString()).body).toBe(
      "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU=",
    );
  });

  it("§2.2 retry-delay expressions: arithmetic, precedence, functions, retried", () => {
    const cases: Array<[string, number, number]> = [
      ["1000", 5, 1000],
      ["1000 * (1 + retried)", 2, 3000],
      ["pow(2, retried) * 1000", 3, 8000],
      ["2 + 3 * 4 - 10 / 5", 0, 12],
      ["-retried + 10", 4, 6],
      ["sqrt(16) + abs(-2) + floor(1.9) + ceil(1.1) + round(2.5)", 0, 4 + 2 + 1 + 2 + 3],
      ["min(86400000, exp(retried) * 1000)", 0, 1000],
      ["max(1, 2, 3) * min(5, 4, 6)", 0, 12],
      [" ( ( retried ) ) ", 7, 7],
    ];
    for (const [source, retried, expected] of cases) expect(compileRetryDelay(source)(retried), source).toBeCloseTo(expected);
  });

  it("§2.2 retry-delay expressions never run code: unknown names and junk are 400s", () => {
    for (const source of [
      "process.exit(1)",
      "constructor",
      "retried; 1",
      "1 +",
      "pow(1)",
      "sqrt(1, 2)",
      "max()",
      "1 ** 2",
      "`1`",
      "",
      "a=1",
      "Math.pow(2,1)",
    ]) {
      expect(() => compileRetryDelay(source), source).toThrow(/Upstash-Retry-Delay/);
    }
    expect(() => compileRetryDelay(`${"(".repeat(200)}1${")".repeat(200)}`)).toThrow(/nested too deeply/);
  });

  it("§2.2 durations: s m h d, compound forms, bare seconds", () => {
    expect(parseDurationMs("90s", "d")).toBe(90_000);
    expect(parseDurationMs("1d10h30m", "d")).toBe(86_400_000 + 10 * 3_600_000 + 30 * 60_000);
    expect(parseDurationMs("15", "d")).toBe(15_000);
    for (const bad of ["1.5h", "10 m", "1w", "-5s", "m"])
      expect(() => parseDurationMs(bad, "Upstash-Delay"), bad).toThrow(/Upstash-Delay/);
    expect(parseFlowControlValue("parallelism=2, rate=5, period=1m")).toEqual({ parallelism: 2, rate: 5, periodSeconds: 60 });
    expect(parseFlowControlValue("rate=3,period=30")).toEqual({ rate: 3, periodSeconds: 30 });
  });

  it("§3.2 Retry-After forms: integer seconds, RFC 1123 date, Go duration; above a day ignored", () => {
    const now = Date.UTC(2026, 0, 1, 0, 0, 0);
    expect(parseRetryAfterMs("120", now)).toBe(120_000);
    expect(parseRetryAfterMs("0", now)).toBe(0);
    expect(parseRetryAfterMs("Thu, 01 Jan 2026 00:01:30 GMT", now)).toBe(90_000);
    expect(parseRetryAfterMs("6m5s", now)).toBe(365_000);
    expect(parseRetryAfterMs("1.5h", now)).toBe(5_400_000);
    expect(parseRetryAfterMs("250ms", now)).toBe(250);
    expect(parseRetryAfterMs("86401", now)).toBeNull();
    expect(parseRetryAfterMs("25h", now)).toBeNull();
    expect(parseRetryAfterMs("soon", now)).toBeNull();
    expect(parseGoDurationMs("1h2m3s4ms")).toBe(3_723_004);
  });

  it("§3.2 the default ladder is min(1 day, e^(2.5n)) seconds; hints beat expressions beat the ladder", () => {
    expect([1, 2, 3, 4, 5, 6].map(defaultRetryDelayMs)).toEqual([12_182, 148_413, 1_808_042, 22_026_466, 86_400_000, 86_400_000]);
    const base = { retryNumber: 2, nowMs: 0 };
    expect(retryDelayMs({ ...base, responseHeaders: { "retry-after": ["3"] }, retryDelayExpression: "9" })).toBe(3_000);
    expect(retryDelayMs({ ...base, responseHeaders: { "retry-after": ["999999"] }, retryDelayExpression: "retried * 10" })).toBe(
      10,
    );
    expect(retryDelayMs({ ...base, retryScale: 0.5 })).toBe(74_207);
    expect(retryDelayMs({ ...base, retryDelayExpression: "retried - 5" })).toBe(0);
  });

  it("§2.1 destinations: raw path + raw query, http:/ repaired, group names, encoded URLs", () => {
    expect(parseDestination("http://localhost:3000/api/x", "a=1&b=2")).toEqual({
      kind: "url",
      url: "http://localhost:3000/api/x?a=1&b=2",
    });
    expect(parseDestination("https:/example.com/hook", "")).toEqual({ kind: "url", url: "https://example.com/hook" });
    expect(parseDestination("https%3A%2F%2Fexample.com%2Fhook", "")).toEqual({ kind: "url", url: "https://example.com/hook" });
    expect(parseDestination("my-group_1.v2", "")).toEqual({ kind: "topic", name: "my-group_1.v2" });
    expect(() => parseDestination("my group", "")).toThrow(/destination/);
    expect(() => parseDestination("http://", "")).toThrow(/destination/);
  });

  it("§10 cron with CRON_TZ follows the zone across a DST change", () => {
    // 2026-03-08: New York moves from UTC-5 to UTC-4.
    expect(nextCronTime("CRON_TZ=America/New_York 0 9 * * *", Date.UTC(2026, 2, 7, 15))).toBe(Date.UTC(2026, 2, 8, 13));
    expect(nextCronTime("0 9 * * *", Date.UTC(2026, 2, 7, 15))).toBe(Date.UTC(2026, 2, 8, 9));
  });
});
