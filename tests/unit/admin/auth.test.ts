import { describe, expect, test } from "vitest";
import { ADMIN_COOKIE, authenticateAdmin, createAdminSession, readCookie, sameOrigin, verifyAdminSession } from "@/lib/admin/auth";

const TOKEN = "admin-token-0123456789";
const NOW = Date.UTC(2026, 0, 15, 9);

const request = (headers: Record<string, string>) => new Request("https://app.test/api/admin/dlq", { headers });

describe("authenticateAdmin", () => {
  test("is off (404) without ADMIN_TOKEN, whatever is presented", async () => {
    expect(await authenticateAdmin(request({ authorization: `Bearer ${TOKEN}` }), undefined, NOW)).toMatchObject({ ok: false, status: 404 });
  });

  test("accepts the Bearer token and refuses a missing or wrong one with 401", async () => {
    expect(await authenticateAdmin(request({ authorization: `Bearer ${TOKEN}` }), TOKEN, NOW)).toEqual({ ok: true, via: "bearer" });
    expect(await authenticateAdmin(request({}), TOKEN, NOW)).toMatchObject({ ok: false, status: 401 });
    expect(await authenticateAdmin(request({ authorization: `Bearer ${TOKEN}x` }), TOKEN, NOW)).toMatchObject({ ok: false, status: 401 });
    expect(await authenticateAdmin(request({ authorization: TOKEN }), TOKEN, NOW)).toMatchObject({ ok: false, status: 401 });
  });

  test("a wrong Bearer header is not rescued by a valid cookie", async () => {
    const { value } = await createAdminSession(TOKEN, NOW);
    const outcome = await authenticateAdmin(request({ authorization: "Bearer nope", cookie: `${ADMIN_COOKIE}=${value}` }), TOKEN, NOW);
    expect(outcome).toMatchObject({ ok: false, status: 401 });
  });

  test("accepts the signed session cookie until it expires", async () => {
    const { value, maxAgeSeconds } = await createAdminSession(TOKEN, NOW, 60);
    expect(maxAgeSeconds).toBe(60);
    const cookie = `other=1; ${ADMIN_COOKIE}=${value}`;
    expect(await authenticateAdmin(request({ cookie }), TOKEN, NOW + 59_000)).toEqual({ ok: true, via: "cookie" });
    expect(await authenticateAdmin(request({ cookie }), TOKEN, NOW + 60_000)).toMatchObject({ ok: false, status: 401 });
  });
});

describe("session cookie", () => {
  test("holds an HMAC, never the token, and dies when the token rotates", async () => {
    const { value } = await createAdminSession(TOKEN, NOW);
    expect(value).not.toContain(TOKEN);
    expect(value).toMatch(/^v1\.\d+\.[A-Za-z0-9_-]{43}$/);
    expect(await verifyAdminSession(TOKEN, value, NOW)).toBe(true);
    expect(await verifyAdminSession("rotated-token-0123456789", value, NOW)).toBe(false);
  });

  test("a tampered expiry or signature is refused", async () => {
    const { value } = await createAdminSession(TOKEN, NOW);
    const [version, expires, signature] = value.split(".");
    expect(await verifyAdminSession(TOKEN, `${version}.${Number(expires) + 1}.${signature}`, NOW)).toBe(false);
    expect(await verifyAdminSession(TOKEN, `${version}.${expires}.${signature!.slice(1)}A`, NOW)).toBe(false);
    expect(await verifyAdminSession(TOKEN, TOKEN, NOW)).toBe(false);
    expect(await verifyAdminSession(TOKEN, undefined, NOW)).toBe(false);
  });
});

test("readCookie finds one cookie among many", () => {
  expect(readCookie("a=1; admin_session=v1.2.x%3D; b=2", "admin_session")).toBe("v1.2.x=");
  expect(readCookie("a=1", "admin_session")).toBeUndefined();
  expect(readCookie(null, "admin_session")).toBeUndefined();
});

test("sameOrigin refuses a change requested from another site", () => {
  const post = (headers: Record<string, string>) => new Request("https://app.test/api/admin/dlq/retry", { method: "POST", headers });
  expect(sameOrigin(post({ origin: "https://app.test", host: "app.test" }))).toBe(true);
  expect(sameOrigin(post({ origin: "https://evil.test", host: "app.test" }))).toBe(false);
  expect(sameOrigin(post({ "sec-fetch-site": "cross-site" }))).toBe(false);
  expect(sameOrigin(post({}))).toBe(true);
});
