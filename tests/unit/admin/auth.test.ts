import { describe, expect, test } from "vitest";
import {
  ADMIN_COOKIE,
  authenticateAdmin,
  closeAdminSession,
  createAdminSession,
  readCookie,
  redisAdminSessions,
  sameOrigin,
  verifyAdminSession,
} from "@/lib/admin/auth";
import { createRedis } from "@/lib/job-runtime";
import { setupMemoryRedis } from "../../helpers/msw";

const TOKEN = "admin-token-0123456789";
const NOW = Date.UTC(2026, 0, 15, 9);
const REDIS = "http://redis.test";
setupMemoryRedis(REDIS);
const sessions = redisAdminSessions(createRedis({ UPSTASH_REDIS_REST_URL: REDIS, UPSTASH_REDIS_REST_TOKEN: "t" }));

const request = (headers: Record<string, string>) => new Request("https://app.test/api/admin/dlq", { headers });

describe("authenticateAdmin", () => {
  test("is off (404) without ADMIN_TOKEN, whatever is presented", async () => {
    expect(await authenticateAdmin(request({ authorization: `Bearer ${TOKEN}` }), undefined, NOW)).toMatchObject({
      ok: false,
      status: 404,
    });
  });

  test("accepts the Bearer token and refuses a missing or wrong one with 401", async () => {
    expect(await authenticateAdmin(request({ authorization: `Bearer ${TOKEN}` }), TOKEN, NOW)).toEqual({
      ok: true,
      via: "bearer",
    });
    expect(await authenticateAdmin(request({}), TOKEN, NOW)).toMatchObject({ ok: false, status: 401 });
    expect(await authenticateAdmin(request({ authorization: `Bearer ${TOKEN}x` }), TOKEN, NOW)).toMatchObject({
      ok: false,
      status: 401,
    });
    expect(await authenticateAdmin(request({ authorization: TOKEN }), TOKEN, NOW)).toMatchObject({ ok: false, status: 401 });
  });

  test("a wrong Bearer header is not rescued by a valid cookie", async () => {
    const { value } = await createAdminSession(TOKEN, sessions, NOW);
    const outcome = await authenticateAdmin(
      request({ authorization: "Bearer nope", cookie: `${ADMIN_COOKIE}=${value}` }),
      TOKEN,
      NOW,
      sessions,
    );
    expect(outcome).toMatchObject({ ok: false, status: 401 });
  });

  test("accepts the signed session cookie until it expires", async () => {
    const { value, maxAgeSeconds } = await createAdminSession(TOKEN, sessions, NOW, 60);
    expect(maxAgeSeconds).toBe(60);
    const cookie = `other=1; ${ADMIN_COOKIE}=${value}`;
    expect(await authenticateAdmin(request({ cookie }), TOKEN, NOW + 59_000, sessions)).toEqual({ ok: true, via: "cookie" });
    expect(await authenticateAdmin(request({ cookie }), TOKEN, NOW + 60_000, sessions)).toMatchObject({ ok: false, status: 401 });
  });

  test("without the session store a cookie is refused (fails closed)", async () => {
    const { value } = await createAdminSession(TOKEN, sessions, NOW);
    expect(await authenticateAdmin(request({ cookie: `${ADMIN_COOKIE}=${value}` }), TOKEN, NOW)).toMatchObject({
      ok: false,
      status: 401,
    });
  });
});

describe("session cookie", () => {
  test("holds an HMAC, never the token, and dies when the token rotates", async () => {
    const { value } = await createAdminSession(TOKEN, sessions, NOW);
    expect(value).not.toContain(TOKEN);
    expect(value).toMatch(/^v2\.\d+\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
    expect(await verifyAdminSession(TOKEN, value, NOW, sessions)).toBe(true);
    expect(await verifyAdminSession("rotated-token-0123456789", value, NOW, sessions)).toBe(false);
  });

  test("a tampered expiry, session id or signature is refused", async () => {
    const { value } = await createAdminSession(TOKEN, sessions, NOW);
    const { value: other } = await createAdminSession(TOKEN, sessions, NOW);
    const [version, expires, id, signature] = value.split(".");
    expect(await verifyAdminSession(TOKEN, `${version}.${Number(expires) + 1}.${id}.${signature}`, NOW, sessions)).toBe(false);
    expect(await verifyAdminSession(TOKEN, `${version}.${expires}.${other.split(".")[2]}.${signature}`, NOW, sessions)).toBe(
      false,
    );
    expect(await verifyAdminSession(TOKEN, `${version}.${expires}.${id}.${signature!.slice(1)}A`, NOW, sessions)).toBe(false);
    expect(await verifyAdminSession(TOKEN, `v1.${expires}.${signature}`, NOW, sessions)).toBe(false);
    expect(await verifyAdminSession(TOKEN, TOKEN, NOW, sessions)).toBe(false);
    expect(await verifyAdminSession(TOKEN, undefined, NOW, sessions)).toBe(false);
  });

  test("signing out closes the session server-side: a copy of the cookie stops working", async () => {
    const { value } = await createAdminSession(TOKEN, sessions, NOW);
    const { value: otherBrowser } = await createAdminSession(TOKEN, sessions, NOW);
    await closeAdminSession(TOKEN, value, NOW, sessions);
    expect(await verifyAdminSession(TOKEN, value, NOW, sessions)).toBe(false);
    expect(await authenticateAdmin(request({ cookie: `${ADMIN_COOKIE}=${value}` }), TOKEN, NOW, sessions)).toMatchObject({
      ok: false,
      status: 401,
    });
    expect(await verifyAdminSession(TOKEN, otherBrowser, NOW, sessions)).toBe(true);
  });
});

test("readCookie finds one cookie among many", () => {
  expect(readCookie("a=1; admin_session=v1.2.x%3D; b=2", "admin_session")).toBe("v1.2.x=");
  expect(readCookie("a=1", "admin_session")).toBeUndefined();
  expect(readCookie(null, "admin_session")).toBeUndefined();
});

test("sameOrigin refuses a change requested from another site", () => {
  const post = (headers: Record<string, string>) =>
    new Request("https://app.test/api/admin/dlq/retry", { method: "POST", headers });
  expect(sameOrigin(post({ origin: "https://app.test", host: "app.test" }))).toBe(true);
  expect(sameOrigin(post({ origin: "https://evil.test", host: "app.test" }))).toBe(false);
  expect(sameOrigin(post({ "sec-fetch-site": "cross-site" }))).toBe(false);
  expect(sameOrigin(post({}))).toBe(true);
});
