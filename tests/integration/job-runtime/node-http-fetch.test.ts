import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { nodeHttpFetch } from "@/lib/job-runtime";

// The job route's Redis client sends over nodeHttpFetch on Node.js (ADR 0024): it must answer like fetch
// wherever the client looks (status, headers, body, errors), on a real loopback server and the local Redis REST layer.

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((done) => server.close(done))));
});

async function serve(handler: (request: IncomingMessage, body: string, response: ServerResponse) => void) {
  const connections: unknown[] = [];
  const server = createServer((request, response) => {
    let body = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => (body += chunk));
    request.on("end", () => handler(request, body, response));
  });
  server.on("connection", (socket) => connections.push(socket));
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, connections };
}

describe("nodeHttpFetch", () => {
  const send = nodeHttpFetch()!;

  it("exists on Node.js and sends the method, headers and string body as given", async () => {
    let seen: { method?: string; headers?: IncomingMessage["headers"]; body?: string } = {};
    const { url } = await serve((request, body, response) => {
      seen = { method: request.method, headers: request.headers, body };
      response.end("{}");
    });
    await send(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", authorization: "Bearer tok", "upstash-sync-token": "" },
      body: JSON.stringify(["eval", "return 1", 0]),
    });
    expect(seen.method).toBe("POST");
    expect(seen.body).toBe('["eval","return 1",0]');
    expect(seen.headers).toMatchObject({
      "content-type": "application/json",
      authorization: "Bearer tok",
      "upstash-sync-token": "",
      "content-length": "21",
    });
  });

  it("answers with the status, every header and the body, as fetch would", async () => {
    const { url } = await serve((_request, _body, response) => {
      response.statusCode = 400;
      response.setHeader("upstash-sync-token", "s7");
      response.setHeader("x-twice", ["a", "b"]);
      response.end(JSON.stringify({ error: "NOSCRIPT No matching script" }));
    });
    const response = await send(url, { method: "POST", body: "[]" });
    expect(response.status).toBe(400);
    expect(response.ok).toBe(false);
    expect(response.headers.get("upstash-sync-token")).toBe("s7");
    expect(response.headers.get("x-twice")).toBe("a, b");
    expect(await response.json()).toEqual({ error: "NOSCRIPT No matching script" });
  });

  it("keeps the connection alive between calls", async () => {
    const { url, connections } = await serve((_request, body, response) => response.end(body));
    const client = nodeHttpFetch()!;
    expect(await (await client(url, { method: "POST", body: "one" })).text()).toBe("one");
    expect(await (await client(url, { method: "POST", body: "two" })).text()).toBe("two");
    expect(connections).toHaveLength(1);
  });

  it("rejects when nothing answers, so a caller may retry a request that never ran", async () => {
    const { url } = await serve(() => {});
    await new Promise((done) => servers.pop()!.close(done));
    await expect(send(url, { method: "POST", body: "[]" })).rejects.toMatchObject({ code: "ECONNREFUSED" });
  });

  it("a body cut off after the answer began fails when read, not as an unanswered request", async () => {
    const { url } = await serve((_request, _body, response) => {
      response.writeHead(200, { "content-length": "100" });
      response.write('{"result":');
      setImmediate(() => response.socket?.destroy());
    });
    const response = await send(url, { method: "POST", body: "[]" });
    expect(response.status).toBe(200);
    await expect(response.text()).rejects.toThrow();
  });

  it("an aborted signal ends a request that has no answer yet with an AbortError", async () => {
    const controller = new AbortController();
    const { url } = await serve(() => controller.abort());
    await expect(send(url, { method: "POST", body: "[]", signal: controller.signal })).rejects.toMatchObject({
      name: "AbortError",
    });
  });

  it("a bodiless status gives a null body", async () => {
    const { url } = await serve((_request, _body, response) => {
      response.statusCode = 204;
      response.end();
    });
    const response = await send(url, { method: "POST", body: "[]" });
    expect(response.status).toBe(204);
    expect(response.body).toBeNull();
  });

  // Edge has no process.getBuiltinModule; next start's Edge sandbox has one that throws "A Node.js API is used".
  it.each([
    ["missing", undefined],
    [
      "throwing",
      () => {
        throw new Error("A Node.js API is used (process.getBuiltinModule) which is not supported in the Edge Runtime.");
      },
    ],
  ])("is undefined where Node.js's built-ins are %s (Edge), so the caller keeps the global fetch", (_case, value) => {
    const original = Object.getOwnPropertyDescriptor(process, "getBuiltinModule")!;
    Object.defineProperty(process, "getBuiltinModule", { value, configurable: true });
    try {
      expect(nodeHttpFetch()).toBeUndefined();
    } finally {
      Object.defineProperty(process, "getBuiltinModule", original);
    }
  });
});
