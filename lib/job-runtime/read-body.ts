/**
 * Reads a request body without ever holding more than `maxBytes` of it.
 *
 * Routes anyone can call (the job routes, the failure callback, webhooks)
 * check a signature over the whole body, so they have to read it before they
 * know who sent it. Reading it unbounded let one unsigned 100 MB post cost
 * 100 MB of memory. A `Content-Length` over the limit is refused before a
 * single byte is read; a body without one (chunked) is read as a stream and
 * cut off as soon as it passes the limit.
 */
/**
 * QStash's message size limit on the free and pay-as-you-go plans (1 MB): the
 * largest body every QStash account can publish, and so the largest a genuine
 * delivery or failure callback carries. Raise `JOB_MAX_BODY_BYTES` to your
 * plan's limit if you publish larger messages. Anything bigger is an attacker's.
 */
export const DEFAULT_JOB_MAX_BODY_BYTES = 1024 * 1024;

/** Stateless without `stream: true`, so one serves every request. */
const utf8 = new TextDecoder();

export type BoundedBody = { ok: true; text: string } | { ok: false; reason: "declared_too_large" | "too_large" };

export async function readBodyWithin(request: Request, maxBytes: number): Promise<BoundedBody> {
  const declared = request.headers.get("content-length");
  if (declared !== null && /^\d+$/.test(declared.trim()) && Number(declared) > maxBytes) {
    await request.body?.cancel().catch(() => {});
    return { ok: false, reason: "declared_too_large" };
  }
  if (!request.body) return { ok: true, text: "" };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      return { ok: false, reason: "too_large" };
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { ok: true, text: utf8.decode(bytes) };
}

/** The answer to a body over the limit: QStash never sends one, so this only ever reaches a forger. */
export function bodyTooLarge(maxBytes: number): Response {
  return new Response(JSON.stringify({ error: `body larger than ${maxBytes} bytes` }), {
    status: 413,
    headers: { "content-type": "application/json", connection: "close" },
  });
}
