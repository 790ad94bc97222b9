import { Agent, request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStack, type TestStack } from "@/harness/stack";

// Clients size their connection pools by the server's `Keep-Alive: timeout=…`: undici
// (the SDKs' fetch) keeps an idle socket 2 s less than the server says. With Node's
// default of 5 s, a lull of 3 s between bursts dropped every pooled connection.

interface Answer {
  keepAlive: string | undefined;
  reusedSocket: boolean;
}

function get(url: string, agent: Agent, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const sent = request(url, { agent, headers }, (response) => {
      response.resume();
      response.on("end", () => resolve({ keepAlive: response.headers["keep-alive"]?.toString(), reusedSocket: sent.reusedSocket }));
    });
    sent.on("error", reject);
    sent.end();
  });
}

describe("local stack: idle connections are kept for a minute", () => {
  let stack: TestStack;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    agent.destroy();
    await stack.close();
  });

  it.each([
    ["QStash", () => `${stack.qstash.url}/v2/keys`, () => ({ authorization: `Bearer ${stack.env.QSTASH_TOKEN}` })],
    ["Redis REST", () => `${stack.redis.url}/`, () => ({})],
    ["Resend", () => `${stack.env.RESEND_BASE_URL}/`, () => ({})],
  ])("%s advertises a 65 s keep-alive and serves the next request on the same connection", async (_name, url, headers) => {
    const first = await get(url(), agent, headers());
    const second = await get(url(), agent, headers());
    expect(first.keepAlive).toBe("timeout=65");
    expect(second.reusedSocket).toBe(true);
  });
});
