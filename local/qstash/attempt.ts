import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { collectHeaderValues, type HeaderMap } from "./header-map";

/** Response bytes kept for the DLQ, logs and callbacks; the rest is read and dropped. */
export const MAX_RESPONSE_BODY_BYTES = 1024 * 1024;

export interface OutgoingRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: Buffer;
  /** Wall-clock limit for the whole exchange. */
  timeoutMs: number;
  /** Aborts the attempt when the server shuts down. */
  signal: AbortSignal;
}

export interface AttemptResult {
  status?: number;
  /** Lower-case names. */
  headers: HeaderMap;
  body: Buffer;
  /** Set for network errors and timeouts. */
  error?: string;
}

/**
 * One HTTP exchange with a destination, with node:http rather than fetch so
 * the exact header set and body bytes go out, and without keep-alive so a
 * receiver's `server.close()` never waits on our idle sockets. Never throws:
 * failures come back as results for the outcome rules to judge.
 */
export function sendAttempt(outgoing: OutgoingRequest): Promise<AttemptResult> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: AttemptResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outgoing.signal.removeEventListener("abort", onAbort);
      resolve(result);
    };
    const url = new URL(outgoing.url);
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    const request = send(url, { method: outgoing.method, headers: outgoing.headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on("data", (chunk: Buffer) => {
        if (size < MAX_RESPONSE_BODY_BYTES) chunks.push(chunk.subarray(0, MAX_RESPONSE_BODY_BYTES - size));
        size += chunk.length;
      });
      response.on("end", () =>
        finish({ status: response.statusCode ?? 0, headers: collectHeaderValues(response.rawHeaders), body: Buffer.concat(chunks) }),
      );
      response.on("error", (error) => finish({ headers: {}, body: Buffer.alloc(0), error: describe(error) }));
    });
    const timer = setTimeout(() => {
      request.destroy();
      finish({ headers: {}, body: Buffer.alloc(0), error: `timeout after ${outgoing.timeoutMs}ms` });
    }, outgoing.timeoutMs);
    timer.unref?.();
    const onAbort = () => {
      request.destroy();
      finish({ headers: {}, body: Buffer.alloc(0), error: "aborted: server shutting down" });
    };
    outgoing.signal.addEventListener("abort", onAbort, { once: true });
    request.on("error", (error) => finish({ headers: {}, body: Buffer.alloc(0), error: describe(error) }));
    request.end(outgoing.body);
  });
}

function describe(error: Error & { code?: string }): string {
  return error.code ? `${error.code}: ${error.message}` : error.message;
}
