import { Client } from "@upstash/qstash";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { getRun } from "@/lib/job-runtime";
import { startProtectionProxy, type ProtectionProxy } from "../../helpers/protection-proxy";
import { startTestApp, type TestApp } from "../../../harness/app";
import { startTestStack, type TestStack } from "../../../harness/stack";

// The proxy stands in for Vercel Deployment Protection; these tests pin its behaviour so the
// bypass and doctor tests that run through it mean what they say.
const SECRET = "bypass-secret-0123456789abcdef";
let stack: TestStack;
let proxy: ProtectionProxy;
let app: TestApp;

beforeAll(async () => {
  stack = await startTestStack();
  proxy = await startProtectionProxy({ secret: SECRET });
  app = await startTestApp(stack, { env: { APP_URL: proxy.url } });
  proxy.setTarget(app.url);
});
afterAll(async () => {
  await app?.close();
  await proxy?.close();
  await stack?.close();
});

describe("protection proxy", () => {
  test("answers a stranger with a 401 HTML login page and never reaches the app", async () => {
    const response = await fetch(`${proxy.url}/api/jobs/test`, { method: "POST", body: "{}" });
    expect(response.status).toBe(401);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await response.text()).toContain("Authentication Required");
    const wrong = await fetch(`${proxy.url}/api/jobs/test`, {
      method: "POST",
      body: "{}",
      headers: { "x-vercel-protection-bypass": "nope" },
    });
    expect(wrong.status).toBe(401);
  });

  test("passes a request with the secret through to the app unchanged", async () => {
    const response = await fetch(`${proxy.url}/api/jobs/test`, {
      method: "POST",
      body: "{}",
      headers: { "x-vercel-protection-bypass": SECRET },
    });
    // The app's own JSON 401: an unsigned request reached the job route.
    expect(response.status).toBe(401);
    expect(response.headers.get("content-type")).toMatch(/json/);
  });

  test("a QStash delivery carrying the forwarded secret passes; one without it is turned away with 401", async () => {
    const withSecret = new Client({
      baseUrl: stack.env.QSTASH_URL,
      token: stack.env.QSTASH_TOKEN,
      enableTelemetry: false,
      headers: { "x-vercel-protection-bypass": SECRET },
    });
    const passed = await withSecret.publishJSON({ url: `${proxy.url}/api/jobs/test`, body: { message: "through" } });
    const blocked = await app.qstash.publishJSON({ url: `${proxy.url}/api/jobs/test`, body: { message: "blocked" }, retries: 0 });
    await stack.qstash.idle();
    expect(await getRun(app.services.redis, passed.messageId)).toMatchObject({
      status: "succeeded",
      result: { echoed: "through" },
    });
    expect(await getRun(app.services.redis, blocked.messageId)).toBeNull();
    const [dead] = (await app.qstash.dlq.listMessages({ filter: { messageId: blocked.messageId } })).messages;
    expect(dead).toMatchObject({ responseStatus: 401 });
    expect(proxy.rejected).toContain("/api/jobs/test");
  });
});
