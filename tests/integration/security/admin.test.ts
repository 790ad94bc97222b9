import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { handleAdminRequest } from "@/lib/admin/api";
import { adminApiDepsOf } from "@/lib/services";
import { ADMIN_COOKIE, closeAdminSession, createAdminSession, redisAdminSessions } from "@/lib/admin/auth";
import { serveFetch, type RunningServer } from "../../../harness/http";
import { startTestApp, type TestApp } from "../../../harness/app";
import { startTestStack, type TestStack } from "../../../harness/stack";
import { expectNoSideEffects } from "./support";

// The admin API: token tricks and cross-site posts held before; a copied
// cookie outliving sign-out (attack 10) did not.

const TOKEN = "security-admin-token-0123456789";
let stack: TestStack;
let app: TestApp;
let admin: RunningServer;

beforeAll(async () => {
  stack = await startTestStack();
  app = await startTestApp(stack, { env: { ADMIN_TOKEN: TOKEN } });
  admin = await serveFetch((request) => handleAdminRequest(request, adminApiDepsOf(app.services)));
});
afterAll(async () => {
  await admin?.close();
  await app?.close();
  await stack?.close();
});

const sessions = () => redisAdminSessions(app.services.redis);

function call(method: string, path: string, headers: Record<string, string>) {
  return fetch(`${admin.url}/api/admin${path}`, {
    method,
    headers: { "content-type": "application/json", ...headers },
    ...(method === "POST" && { body: JSON.stringify({ all: true }) }),
  }).then(async (response) => ({ status: response.status, text: await response.text() }));
}

describe("token tricks are refused with 401 and change nothing", () => {
  test.each([
    ["no credentials", {}],
    ["a wrong token", { authorization: "Bearer wrong-token-000000000000000" }],
    ["the token's prefix", { authorization: `Bearer ${TOKEN.slice(0, -1)}` }],
    ["the token plus a suffix", { authorization: `Bearer ${TOKEN}x` }],
    ["Basic instead of Bearer", { authorization: `Basic ${Buffer.from(`admin:${TOKEN}`).toString("base64")}` }],
    ["the token without a scheme", { authorization: TOKEN }],
    ["the token as a cookie", { cookie: `${ADMIN_COOKIE}=${TOKEN}` }],
    ["an old-style v1 cookie", { cookie: `${ADMIN_COOKIE}=v1.99999999999999.${"A".repeat(43)}` }],
  ])("%s", async (_name, headers) => {
    const answer = await expectNoSideEffects(stack, app.services.redis, () =>
      call("POST", "/dlq/delete", headers as Record<string, string>),
    );
    expect(answer.status).toBe(401);
    expect(answer.text).not.toContain(TOKEN);
  });

  test("a cookie signed with a guessed key (session id and expiry chosen by the attacker)", async () => {
    const expires = Date.now() + 3_600_000;
    const forgedId = "A".repeat(22);
    const signature = createHmac("sha256", "guessed-key").update(`admin-session.v2.${expires}.${forgedId}`).digest("base64url");
    const answer = await expectNoSideEffects(stack, app.services.redis, () =>
      call("GET", "/runs", { cookie: `${ADMIN_COOKIE}=v2.${expires}.${forgedId}.${signature}` }),
    );
    expect(answer.status).toBe(401);
  });
});

describe("sessions", () => {
  test("a copied cookie stops working when its owner signs out", async () => {
    const { value } = await createAdminSession(TOKEN, sessions(), Date.now());
    expect((await call("GET", "/runs", { cookie: `${ADMIN_COOKIE}=${value}` })).status).toBe(200);
    await closeAdminSession(TOKEN, value, Date.now(), sessions());
    const answer = await expectNoSideEffects(stack, app.services.redis, () =>
      call("GET", "/runs", { cookie: `${ADMIN_COOKIE}=${value}` }),
    );
    expect(answer.status).toBe(401);
  });

  test("a cross-site POST riding the admin cookie is refused (403) and retries nothing", async () => {
    const { value } = await createAdminSession(TOKEN, sessions(), Date.now());
    const answer = await expectNoSideEffects(stack, app.services.redis, () =>
      call("POST", "/dlq/retry", { cookie: `${ADMIN_COOKIE}=${value}`, origin: "https://evil.example" }),
    );
    expect(answer.status).toBe(403);
  });

  test("a cross-site POST marked only by Sec-Fetch-Site is refused too", async () => {
    const { value } = await createAdminSession(TOKEN, sessions(), Date.now());
    const answer = await expectNoSideEffects(stack, app.services.redis, () =>
      call("POST", "/dlq/retry", { cookie: `${ADMIN_COOKIE}=${value}`, "sec-fetch-site": "cross-site" }),
    );
    expect(answer.status).toBe(403);
  });
});
