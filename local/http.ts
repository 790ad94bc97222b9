/** Node HTTP plumbing the local services share. */
import type { IncomingMessage, Server, ServerOptions } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * Options every local server is created with. An idle keep-alive connection is kept for a
 * minute rather than Node's 5 s: clients size their pools by the server's `Keep-Alive:
 * timeout=…` (undici, under the SDKs' fetch, keeps a socket 2 s less than it says), so with
 * 5 s every lull of a few seconds, or every pause between bursts, dropped the pool and the
 * next burst paid a TCP connect and a fresh parser per request, when it could least afford it.
 * Idle sockets cost nothing here: every client is on this machine.
 */
export const SERVER_OPTIONS: ServerOptions = { keepAliveTimeout: 65_000 };

/**
 * The body's bytes, or null once it is known to exceed `maxBytes`: at once when the
 * declared Content-Length says so, else as soon as the bytes read pass it. Either way
 * the rest is drained unread, so the caller can still answer 413 on the connection.
 */
export function readBytes(req: IncomingMessage, maxBytes: number): Promise<Buffer | null> {
  return collectBody(req, maxBytes, (chunks) => (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
}

/** The body as UTF-8 text, or null once it exceeds `maxBytes` (see `readBytes`). */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<string | null> {
  return collectBody(req, maxBytes, (chunks) =>
    chunks.length === 1 ? chunks[0]!.toString("utf8") : Buffer.concat(chunks).toString("utf8"),
  );
}

function collectBody<T>(req: IncomingMessage, maxBytes: number, finish: (chunks: Buffer[]) => T): Promise<T | null> {
  if (Number(req.headers["content-length"]) > maxBytes) {
    req.resume();
    return Promise.resolve(null);
  }
  // Plain events rather than `for await`: the async iterator costs a promise and a
  // few stream-internal objects per chunk, on every request of every local service.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) {
        chunks.push(chunk);
        return;
      }
      // Stop buffering; the caller answers 413 and the rest of the body is dropped.
      req.off("data", onData);
      req.off("end", onEnd);
      req.resume();
      resolve(null);
    };
    const onEnd = () => resolve(finish(chunks));
    req.on("data", onData);
    req.once("end", onEnd);
    req.once("error", reject);
  });
}

/**
 * Starts `server` on `port` (0 picks a free one) at `host`, rejecting if it can't
 * bind, and resolves to its base URL without a trailing slash (IPv6 hosts bracketed).
 */
export async function listen(server: Server, port: number, host: string): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;
  const hostForUrl = host.includes(":") ? `[${host}]` : host;
  return `http://${hostForUrl}:${bound}`;
}
