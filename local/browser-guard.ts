/**
 * The local stack listens on loopback, but a browser on the same machine can
 * still be pointed at it by any web page:
 *
 * - DNS rebinding: evil.example resolves to 127.0.0.1, so the page's own
 *   (same-origin!) fetches reach the stack and can read the inbox. Such a
 *   request carries `Host: evil.example:8025`; we answer only loopback names.
 * - Cross-site requests: a page on evil.example can POST a simple form or
 *   fetch to http://127.0.0.1:8080/__stack/reset without reading the answer.
 *   Such a request carries `Origin: https://evil.example`; the controls and
 *   the inbox refuse any Origin that isn't a loopback page.
 *
 * Hosts can be added for setups that reach the stack by another name (a
 * container's service name) with STACK_ALLOWED_HOSTS=name1,name2.
 */
import type { IncomingMessage } from "node:http";

const extraHosts = (process.env.STACK_ALLOWED_HOSTS ?? "")
  .split(",")
  .map((host) => host.trim().toLowerCase())
  .filter(Boolean);

/** The host part of a Host header or URL host (`[::1]:8080` → `::1`, `localhost:8025` → `localhost`). */
function hostname(hostHeader: string): string {
  const value = hostHeader.trim().toLowerCase();
  if (value.startsWith("[")) return value.slice(1, value.indexOf("]") > 0 ? value.indexOf("]") : undefined);
  const colon = value.lastIndexOf(":");
  return colon >= 0 && value.indexOf(":") === colon ? value.slice(0, colon) : value;
}

function isLoopbackName(host: string): boolean {
  const name = hostname(host).replace(/\.$/, "");
  if (name === "localhost" || name.endsWith(".localhost")) return true;
  if (name === "::1" || /^::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name)) return true;
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name)) return true;
  return extraHosts.includes(name);
}

/** Why a request must be refused (a sentence for the 403 body), or null to go ahead. */
export function refusedByBrowserGuard(req: Pick<IncomingMessage, "headers">, options: { checkOrigin: boolean }): string | null {
  const host = req.headers.host;
  // HTTP/1.1 clients always send Host; one without it is not a browser we need to serve.
  if (!host || !isLoopbackName(host)) return "Host is not a loopback name (DNS rebinding protection)";
  if (!options.checkOrigin) return null;
  const origin = req.headers.origin;
  if (origin === undefined) {
    return req.headers["sec-fetch-site"] === "cross-site" ? "cross-site request refused" : null;
  }
  if (origin === "null") return "cross-site request refused";
  try {
    return isLoopbackName(new URL(origin).host) ? null : "cross-site request refused";
  } catch {
    return "cross-site request refused";
  }
}
