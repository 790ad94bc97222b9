/** Node HTTP plumbing the local services share. */
import type { IncomingMessage, Server } from "node:http";
import type { AddressInfo } from "node:net";

/** The body as UTF-8 text, or null as soon as it exceeds `maxBytes` (the rest is not buffered). */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
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
