/**
 * The part of `node:http` (and `node:https`) used here, written out: lib/ imports
 * no `node:` module, not even for types, so every job also builds for Edge.
 */
interface IncomingResponse {
  statusCode?: number;
  statusMessage?: string;
  /** Names and values alternating, repeated headers kept apart. */
  rawHeaders: string[];
  /** True once the whole body arrived. */
  complete: boolean;
  on(event: "data", listener: (chunk: Uint8Array) => void): unknown;
  on(event: "end" | "close", listener: () => void): unknown;
  on(event: "error", listener: (error: Error) => void): unknown;
  destroy(): void;
}

interface Transport {
  request(
    url: URL,
    options: { method: string; headers: Record<string, string>; agent: unknown; signal?: AbortSignal },
    onResponse: (response: IncomingResponse) => void,
  ): { on(event: "error", listener: (error: Error) => void): unknown; end(body?: string): unknown };
  Agent: new (options: { keepAlive: boolean }) => unknown;
}

/**
 * A built-in module through `process.getBuiltinModule` (Node.js ≥ 20.16): no
 * import for a bundler to follow into the Edge build. Undefined on Edge, where
 * it is missing, or, in `next start`'s Edge sandbox, a function that throws.
 */
function builtin(id: "node:http" | "node:https"): Transport | undefined {
  const process = (globalThis as { process?: { getBuiltinModule?(id: string): unknown } }).process;
  try {
    return process?.getBuiltinModule?.(id) as Transport | undefined;
  } catch {
    return undefined;
  }
}

/** Statuses whose response has no body (a `Response` refuses one). */
const NULL_BODY = new Set([101, 204, 205, 304]);

/**
 * A `fetch` over Node.js's own HTTP client for plain calls (a string body in,
 * the answer out), or undefined where there is none (Edge): what the job
 * route's Redis client sends its two commands with.
 *
 * Why not the global `fetch`: on a fresh instance its first call is the
 * costliest step of a cold delivery. It sets up undici's dispatcher,
 * instantiates undici's WebAssembly HTTP parser and passes through Next.js's
 * patched fetch and web streams, tens of milliseconds of CPU before the
 * claim leaves (docs/decisions/0024-the-claim-over-node-http.md). `node:http`
 * is already loaded by the server that took the delivery and parses in native
 * code. Connections are kept alive per protocol, as `fetch` does.
 *
 * As with `fetch`, the promise rejects only when no answer came (connection
 * refused or reset before the status line); a body cut off after that fails
 * when it is read, so a caller that retries "unanswered" requests never
 * resends one the server may have run.
 */
export function nodeHttpFetch(): typeof fetch | undefined {
  if (!builtin("node:http")) return undefined;
  const transports = new Map<string, { transport: Transport; agent: unknown }>();
  const transportFor = (protocol: string) => {
    let entry = transports.get(protocol);
    if (!entry) {
      // https (and tls with it) loads only for an https URL.
      const transport = protocol === "https:" ? builtin("node:https") : protocol === "http:" ? builtin("node:http") : undefined;
      if (!transport) throw new TypeError(`fetch failed: unsupported protocol ${protocol}`);
      entry = { transport, agent: new transport.Agent({ keepAlive: true }) };
      transports.set(protocol, entry);
    }
    return entry;
  };
  return (input, init) =>
    new Promise<Response>((resolve, reject) => {
      const body = init?.body ?? undefined;
      if (body !== undefined && typeof body !== "string") throw new TypeError("nodeHttpFetch sends string bodies only");
      const url = new URL(input instanceof Request ? input.url : String(input));
      const { transport, agent } = transportFor(url.protocol);
      const request = transport.request(
        url,
        {
          method: init?.method ?? "GET",
          headers: Object.fromEntries(new Headers(init?.headers)),
          agent,
          // Aborting ends the request with an AbortError, as fetch does.
          signal: init?.signal ?? undefined,
        },
        (response) => {
          const headers = new Headers();
          const raw = response.rawHeaders;
          for (let index = 0; index < raw.length; index += 2) headers.append(raw[index]!, raw[index + 1]!);
          const status = response.statusCode ?? 0;
          resolve(
            new Response(NULL_BODY.has(status) ? null : bodyOf(response), {
              status,
              statusText: response.statusMessage,
              headers,
            }),
          );
        },
      );
      request.on("error", reject);
      request.end(body);
    });
}

/** The response's body as a web stream; it errors if the connection ends before the body does. */
function bodyOf(response: IncomingResponse): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      let open = true;
      const fail = (error: Error) => {
        if (!open) return;
        open = false;
        controller.error(error);
      };
      response.on("data", (chunk: Uint8Array) => controller.enqueue(chunk));
      response.on("end", () => {
        if (!open) return;
        open = false;
        controller.close();
      });
      response.on("error", fail);
      response.on("close", () => {
        if (!response.complete) fail(new TypeError("terminated: the connection closed before the response ended"));
      });
    },
    cancel() {
      response.destroy();
    },
  });
}
