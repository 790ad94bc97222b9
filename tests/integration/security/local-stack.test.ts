import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { startTestStack, type TestStack } from "../../../harness/stack";

// The local stack's controls and inbox (attack 9): a web page must not reset
// the stack, set faults or read the inbox, neither cross-site nor through a
// DNS-rebound host name. Requests are sent raw so Host and Origin are exactly
// what a browser would send.

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.close();
});

interface RawAnswer {
  status: number;
  body: string;
}

function raw(
  base: string,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawAnswer> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method: options.method ?? "GET",
        headers: options.headers ?? {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

const EVIL_ORIGIN = { origin: "https://evil.example" };
const rebound = (base: string) => ({ host: `evil.example:${new URL(base).port}` });

async function seedEmail(): Promise<void> {
  const response = await fetch(`${stack.resend.url}/emails`, {
    method: "POST",
    headers: { authorization: `Bearer ${stack.env.RESEND_API_KEY}`, "content-type": "application/json" },
    body: JSON.stringify({
      from: "a@acme.test",
      to: "b@example.com",
      subject: "Your invite",
      text: "http://localhost:3000/invite/secret-token",
    }),
  });
  expect(response.ok).toBe(true);
}

async function publishOne(): Promise<void> {
  const response = await fetch(`${stack.qstash.url}/v2/publish/http://127.0.0.1:9/x?delay=1h`, {
    method: "POST",
    headers: { authorization: `Bearer ${stack.env.QSTASH_TOKEN}`, "upstash-delay": "1h" },
    body: "{}",
  });
  expect(response.ok).toBe(true);
}

const stackMessages = async () =>
  ((await (await fetch(`${stack.qstash.url}/__stack/state`)).json()) as { messages: unknown[] }).messages.length;

beforeEach(async () => {
  stack.resend.reset();
  stack.qstash.reset();
  await seedEmail();
  await publishOne();
});

describe("QStash controls", () => {
  test.each([
    ["a cross-site Origin", () => EVIL_ORIGIN],
    ["a DNS-rebound Host", (base: string) => rebound(base)],
    ["Sec-Fetch-Site: cross-site without Origin", () => ({ "sec-fetch-site": "cross-site" })],
    ["Origin: null (sandboxed frame)", () => ({ origin: "null" })],
  ])("POST /__stack/reset with %s is refused (403) and resets nothing", async (_name, headers) => {
    const answer = await raw(stack.qstash.url, "/__stack/reset", { method: "POST", headers: headers(stack.qstash.url) });
    expect(answer.status).toBe(403);
    expect(await stackMessages()).toBe(1);
  });

  test("GET /__stack/state through a rebound host is refused: the page can't read the stack", async () => {
    const answer = await raw(stack.qstash.url, "/__stack/state", { headers: rebound(stack.qstash.url) });
    expect(answer.status).toBe(403);
    expect(answer.body).not.toContain("messageId");
  });

  test("the dashboard page itself is refused through a rebound host", async () => {
    expect((await raw(stack.qstash.url, "/", { headers: rebound(stack.qstash.url) })).status).toBe(403);
  });

  test("a loopback page (the app on localhost) may still use the controls", async () => {
    const answer = await raw(stack.qstash.url, "/__stack/reset", {
      method: "POST",
      headers: { origin: "http://localhost:3000" },
    });
    expect(answer.status).toBeLessThan(300);
    expect(await stackMessages()).toBe(0);
  });
});

describe("Resend inbox and faults", () => {
  test.each([
    ["/__emails", EVIL_ORIGIN],
    ["/__emails", "rebound"],
    ["/", "rebound"],
    ["/", EVIL_ORIGIN],
  ] as const)("GET %s with %j is refused and shows no link", async (path, headers) => {
    const answer = await raw(stack.resend.url, path, { headers: headers === "rebound" ? rebound(stack.resend.url) : headers });
    expect(answer.status).toBe(403);
    expect(answer.body).not.toContain("secret-token");
  });

  test("DELETE /__emails cross-site is refused and the inbox keeps its mail", async () => {
    expect((await raw(stack.resend.url, "/__emails", { method: "DELETE", headers: EVIL_ORIGIN })).status).toBe(403);
    expect(stack.resend.emails()).toHaveLength(1);
  });

  test("POST /__faults cross-site is refused and no fault is set", async () => {
    const answer = await raw(stack.resend.url, "/__faults", {
      method: "POST",
      headers: { ...EVIL_ORIGIN, "content-type": "text/plain" },
      body: JSON.stringify({ status: 500 }),
    });
    expect(answer.status).toBe(403);
    expect(stack.resend.faults.get()).toEqual((await (await fetch(`${stack.resend.url}/__faults`)).json()) as unknown);
    expect(JSON.stringify(stack.resend.faults.get())).not.toContain("500");
  });

  test("a loopback request reads the inbox as before", async () => {
    const answer = await raw(stack.resend.url, "/__emails", { headers: { origin: "http://127.0.0.1:3000" } });
    expect(answer.status).toBe(200);
    expect(answer.body).toContain("secret-token");
  });
});

describe("Redis REST", () => {
  test("the public dev token through a rebound host is refused: a page can't read the data", async () => {
    const answer = await raw(stack.redis.url, "/", {
      method: "POST",
      headers: {
        ...rebound(stack.redis.url),
        authorization: `Bearer ${stack.env.UPSTASH_REDIS_REST_TOKEN}`,
        "content-type": "text/plain",
      },
      body: JSON.stringify(["KEYS", "*"]),
    });
    expect(answer.status).toBe(403);
  });

  test("a cross-site page posting a command with the public token is refused and writes nothing", async () => {
    const answer = await raw(stack.redis.url, "/", {
      method: "POST",
      headers: { ...EVIL_ORIGIN, authorization: `Bearer ${stack.env.UPSTASH_REDIS_REST_TOKEN}`, "content-type": "text/plain" },
      body: JSON.stringify(["SET", "planted", "1"]),
    });
    expect(answer.status).toBe(403);
    const check = await fetch(stack.redis.url, {
      method: "POST",
      headers: { authorization: `Bearer ${stack.env.UPSTASH_REDIS_REST_TOKEN}` },
      body: JSON.stringify(["EXISTS", "planted"]),
    });
    expect(await check.json()).toEqual({ result: 0 });
  });
});
