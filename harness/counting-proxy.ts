import { createServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";

export interface CountingProxy {
  url: string;
  /** HTTP requests that reached the Redis REST server (round trips), and the commands they carried. */
  counts(): { requests: number; commands: number; byCommand: Record<string, number> };
  reset(): void;
  close(): Promise<void>;
}

/**
 * Sits in front of a Redis REST server and counts what arrives: each HTTP
 * request is one round trip, whatever it carries (a command, a pipeline).
 * Counting at the server rather than in the client sees every request the SDK makes.
 */
export async function startCountingProxy(target: string): Promise<CountingProxy> {
  let requests = 0;
  let commands = 0;
  let byCommand: Record<string, number> = {};
  const upstream = new URL(target);
  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
    incoming.on("end", () => {
      const body = Buffer.concat(chunks);
      requests++;
      try {
        const parsed = JSON.parse(body.toString("utf8")) as unknown[];
        const list = (Array.isArray(parsed[0]) ? parsed : [parsed]) as unknown[][];
        for (const command of list) {
          commands++;
          const name = String(command[0]).toUpperCase();
          byCommand[name] = (byCommand[name] ?? 0) + 1;
        }
      } catch {
        // Not a command array (a probe): still a round trip.
      }
      const forward = httpRequest(
        { host: upstream.hostname, port: upstream.port, path: incoming.url, method: incoming.method, headers: incoming.headers },
        (response) => {
          outgoing.writeHead(response.statusCode ?? 502, response.headers);
          response.pipe(outgoing);
        },
      );
      forward.on("error", () => outgoing.writeHead(502).end());
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    counts: () => ({ requests, commands, byCommand: { ...byCommand } }),
    reset() {
      requests = 0;
      commands = 0;
      byCommand = {};
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
