import { createServer, request, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { PROTECTION_BYPASS_HEADER as BYPASS_HEADER } from "@/lib/job-runtime";

const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "upgrade", "te", "trailer", "proxy-connection"]);

export interface ProtectionProxy {
  /** Base URL callers use, no trailing slash: what APP_URL must be for signatures to match. */
  url: string;
  /** Where requests that carry the secret go (the app's own base URL). */
  setTarget(url: string): void;
  /** Requests turned away with the login page, by path. */
  rejected: string[];
  close(): Promise<void>;
}

/**
 * Stands in for Vercel Deployment Protection in front of an app on loopback:
 * a request with `x-vercel-protection-bypass: <secret>` is passed through byte
 * for byte; anything else gets what Vercel sends automation, a 401 HTML login
 * page. Start it before the app so the app's APP_URL can be the proxy's URL.
 */
export async function startProtectionProxy(options: { secret: string; target?: string }): Promise<ProtectionProxy> {
  let target = options.target;
  const rejected: string[] = [];
  const server = createServer((incoming, outgoing) => {
    if (incoming.headers[BYPASS_HEADER] !== options.secret || !target) {
      incoming.resume();
      rejected.push((incoming.url ?? "/").split("?")[0]!);
      outgoing.writeHead(401, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
      outgoing.end(LOGIN_PAGE);
      return;
    }
    forward(incoming, outgoing, target);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    setTarget(url) {
      target = url.replace(/\/+$/, "");
    },
    rejected,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function forward(incoming: IncomingMessage, outgoing: ServerResponse, target: string) {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
  }
  const upstream = request(`${target}${incoming.url ?? "/"}`, { method: incoming.method, headers }, (response) => {
    const replyHeaders: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(response.headers)) {
      if (value !== undefined && !HOP_BY_HOP.has(name)) replyHeaders[name] = value;
    }
    outgoing.writeHead(response.statusCode ?? 502, replyHeaders);
    response.pipe(outgoing);
  });
  upstream.on("error", (error) => {
    if (outgoing.headersSent) outgoing.destroy(error);
    else outgoing.writeHead(502, { "content-type": "text/plain" }).end(`proxy: ${error.message}`);
  });
  incoming.pipe(upstream);
}

// Shaped like the page Vercel serves: HTML, no JSON, nothing a job route would say.
const LOGIN_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Authentication Required</title></head>
<body><h1>Authentication Required</h1><p>Log in to Vercel to view this deployment.</p></body></html>`;
