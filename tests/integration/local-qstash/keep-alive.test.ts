import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { startTestQStash, type TestQStash } from "@/tests/helpers/local-qstash";

// The dispatcher keeps sockets to destinations alive between deliveries. A socket
// the destination closed while it sat in the pool is our pooling's problem, never
// a failed delivery: here the destination hangs up on every request that arrives
// on a connection it has already answered on, as a server does whose idle
// connections all timed out together after a burst.

/** Answers 200 on a connection's first request; destroys the connection on any later one. */
async function startOneShotConnections(): Promise<{ url: string; answered: string[]; hungUp: () => number; server: Server }> {
  const used = new WeakSet<Socket>();
  const answered: string[] = [];
  let hangUps = 0;
  const server = createServer((req, res) => {
    if (used.has(req.socket)) {
      hangUps++;
      req.socket.destroy();
      return;
    }
    used.add(req.socket);
    req.resume();
    req.on("end", () => {
      answered.push(String(req.headers["upstash-message-id"]));
      res.end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, answered, hungUp: () => hangUps, server };
}

describe("local QStash: kept-alive sockets to destinations", () => {
  let qstash: TestQStash | undefined;
  let destination: Server | undefined;
  afterEach(async () => {
    await qstash?.server.close();
    await qstash?.receiver.close();
    destination?.closeAllConnections();
    await new Promise((resolve) => destination?.close(resolve));
  });

  it("a delivery that meets a socket closed in the pool goes out again on a new connection, not to the DLQ", async () => {
    qstash = await startTestQStash();
    const target = await startOneShotConnections();
    destination = target.server;
    const { client, server } = qstash;
    // Two deliveries in flight at once leave two sockets in the pool.
    const first = await Promise.all([
      client.publish({ url: `${target.url}/a`, body: "1", retries: 0 }),
      client.publish({ url: `${target.url}/b`, body: "2", retries: 0 }),
    ]);
    await server.advance(0);
    expect(target.answered.sort()).toEqual(first.map(({ messageId }) => messageId).sort());

    // Both pooled sockets are now stale: the next delivery's first try hangs up.
    const { messageId } = await client.publish({ url: `${target.url}/c`, body: "3", retries: 0 });
    await server.advance(0);
    expect(target.hungUp()).toBeGreaterThanOrEqual(1);
    expect(target.answered).toContain(messageId);
    expect((await client.messages.get(messageId).catch(() => null))?.messageId).toBeUndefined();
    expect((await client.dlq.listMessages()).messages).toEqual([]);
  });
});
