import { describe, expect, test } from "vitest";
import { clientIp, userAgent } from "@/lib/auth/client-info";
import { newSignInEventId } from "@/lib/flows/sign-in";
import { SIGN_IN_EVENT_ID } from "@/lib/jobs/sign-in-notification";

describe("clientIp", () => {
  test("takes the first x-forwarded-for entry (the client; later ones are proxies)", () => {
    expect(clientIp(new Headers({ "x-forwarded-for": "203.0.113.7, 10.0.0.1", "x-real-ip": "10.0.0.9" }))).toBe("203.0.113.7");
  });

  test("falls back to x-real-ip", () => {
    expect(clientIp(new Headers({ "x-real-ip": " 2001:db8::1 " }))).toBe("2001:db8::1");
  });

  test("is null when absent or not shaped like an address", () => {
    expect(clientIp(new Headers())).toBeNull();
    expect(clientIp(new Headers({ "x-forwarded-for": "<script>" }))).toBeNull();
    expect(clientIp(new Headers({ "x-forwarded-for": "1".repeat(65) }))).toBeNull();
  });
});

describe("userAgent", () => {
  test("is trimmed to 512 characters, or null", () => {
    expect(userAgent(new Headers({ "user-agent": "x".repeat(600) }))).toHaveLength(512);
    expect(userAgent(new Headers())).toBeNull();
  });
});

describe("sign-in event ids", () => {
  test("are 128 random bits and fit the job's schema", () => {
    const ids = new Set(Array.from({ length: 500 }, newSignInEventId));
    expect(ids.size).toBe(500);
    for (const id of ids) expect(id).toMatch(SIGN_IN_EVENT_ID);
  });
});
