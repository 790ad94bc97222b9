import { request as httpRequest, type Agent, type ClientRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest, type Agent as HttpsAgent } from "node:https";
import { collectHeaderValues, type HeaderMap } from "./header-map";

/** Response bytes kept for the DLQ, logs and callbacks; the rest is read and dropped. */
const MAX_RESPONSE_BODY_BYTES = 1024 * 1024;

export interface OutgoingRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: Buffer;
  /** Wall-clock limit for the whole exchange. */
  timeoutMs: number;
  /** Aborts the attempt when the server shuts down. */
  signal: AbortSignal;
  /** Connection pools to reuse. */
  agents: { http: Agent; https: HttpsAgent };
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
 * the exact header set and body bytes go out. Never throws: failures come
 * back as results for the outcome rules to judge.
 */
export function sendAttempt(outgoing: OutgoingRequest): Promise<AttemptResult> {
  return new Promise((resolve) => {
    let settled = false;
    let request: ClientRequest | undefined;
    const failed = (error: string): AttemptResult => ({ headers: {}, body: Buffer.alloc(0), error });
    const finish = (result: AttemptResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outgoing.signal.removeEventListener("abort", onAbort);
      resolve(result);
    };
    const url = new URL(outgoing.url);
    const options = { method: outgoing.method, headers: outgoing.headers };
    const onResponse = (response: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on("data", (chunk: Buffer) => {
        const room = MAX_RESPONSE_BODY_BYTES - size;
        if (room > 0) chunks.push(chunk.length <= room ? chunk : chunk.subarray(0, room));
        size += chunk.length;
      });
      response.on("end", () =>
        finish({
          status: response.statusCode ?? 0,
          headers: collectHeaderValues(response.rawHeaders),
          // Most answers are one small chunk: keep it rather than copy it.
          body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks),
        }),
      );
      response.on("error", (error) => finish(failed(describe(error))));
    };
    const send = (pooled: boolean) => {
      // `agent: false` opens a connection of its own, used once and closed.
      const https = url.protocol === "https:";
      const agent = pooled ? (https ? outgoing.agents.https : outgoing.agents.http) : false;
      const sent = https
        ? httpsRequest(url, { ...options, agent }, onResponse)
        : httpRequest(url, { ...options, agent }, onResponse);
      sent.on("error", (error: Error & { code?: string }) => {
        // A kept-alive socket the destination closed meanwhile: that is our pooling, not the
        // destination failing, so resend once (the pattern Node's docs give), on a new
        // connection: the pool may hold more sockets the destination closed at the same
        // moment (all left idle by the same burst), and the next one could be stale too.
        if (pooled && sent.reusedSocket && error.code === "ECONNRESET" && !settled) send(false);
        else finish(failed(describe(error)));
      });
      sent.end(outgoing.body);
      request = sent;
    };
    const timer = setTimeout(() => {
      request?.destroy();
      finish(failed(`timeout after ${outgoing.timeoutMs}ms`));
    }, outgoing.timeoutMs);
    timer.unref?.();
    const onAbort = () => {
      request?.destroy();
      finish(failed("aborted: server shutting down"));
    };
    outgoing.signal.addEventListener("abort", onAbort, { once: true });
    send(true);
  });
}

function describe(error: Error & { code?: string }): string {
  return error.code ? `${error.code}: ${error.message}` : error.message;
}
