import { describe, expect, test } from "vitest";
import { parseEnv } from "@/lib/env";
import { ConfigError } from "@/lib/job-runtime";

const complete = {
  QSTASH_TOKEN: "token",
  QSTASH_CURRENT_SIGNING_KEY: "sig_current",
  QSTASH_NEXT_SIGNING_KEY: "sig_next",
  UPSTASH_REDIS_REST_URL: "https://eu1-example.upstash.io/",
  UPSTASH_REDIS_REST_TOKEN: "redis-token",
  RESEND_API_KEY: "re_123",
  APP_URL: "https://example.com/",
};

function configError(source: Record<string, string | undefined>): ConfigError {
  try {
    parseEnv(source);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("parseEnv", () => {
  test("accepts a complete environment and normalises URLs", () => {
    const env = parseEnv(complete);
    expect(env.APP_URL).toBe("https://example.com");
    expect(env.UPSTASH_REDIS_REST_URL).toBe("https://eu1-example.upstash.io");
    expect(env.QSTASH_URL).toBe("https://qstash.upstash.io");
    expect(env.JOB_MAX_DURATION_SECONDS).toBe(60);
  });

  test.each(Object.keys(complete).filter((name) => name !== "APP_URL"))("names a missing %s in one message", (name) => {
    const error = configError({ ...complete, [name]: undefined });
    expect(error.variables).toEqual([name]);
    expect(error.message).toContain(`${name}: missing`);
  });

  test("treats an empty value as missing", () => {
    expect(configError({ ...complete, QSTASH_TOKEN: "" }).variables).toEqual(["QSTASH_TOKEN"]);
  });

  test("lists every bad variable at once", () => {
    const error = configError({ ...complete, QSTASH_TOKEN: undefined, UPSTASH_REDIS_REST_URL: "not a url" });
    expect(error.variables).toEqual(["QSTASH_TOKEN", "UPSTASH_REDIS_REST_URL"]);
    expect(error.message.split("\n")).toHaveLength(3);
  });

  test("rejects a non-http URL", () => {
    expect(configError({ ...complete, QSTASH_URL: "ftp://qstash" }).variables).toEqual(["QSTASH_URL"]);
  });

  test("falls back to Vercel's URLs: production domain in production, deployment URL in previews", () => {
    const vercel = {
      ...complete,
      APP_URL: undefined,
      VERCEL_PROJECT_PRODUCTION_URL: "acme.com",
      VERCEL_URL: "acme-git-x.vercel.app",
    };
    expect(parseEnv({ ...vercel, VERCEL_ENV: "production" }).APP_URL).toBe("https://acme.com");
    expect(parseEnv({ ...vercel, VERCEL_ENV: "preview" }).APP_URL).toBe("https://acme-git-x.vercel.app");
  });

  test("without APP_URL or Vercel's variables, APP_URL is named", () => {
    const error = configError({ ...complete, APP_URL: undefined });
    expect(error.variables).toEqual(["APP_URL"]);
  });

  test("a short ADMIN_TOKEN is rejected rather than silently weak", () => {
    expect(configError({ ...complete, ADMIN_TOKEN: "short" }).variables).toEqual(["ADMIN_TOKEN"]);
  });

  test("a short CRON_SECRET is rejected rather than silently weak; unset leaves the cron routes off", () => {
    expect(configError({ ...complete, CRON_SECRET: "short" }).variables).toEqual(["CRON_SECRET"]);
    expect(parseEnv(complete).CRON_SECRET).toBeUndefined();
    expect(parseEnv({ ...complete, CRON_SECRET: "a".repeat(32) }).CRON_SECRET).toBe("a".repeat(32));
  });
});
