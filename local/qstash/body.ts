import { badRequest } from "./errors";

/** Bytes ⇄ the `body` / `bodyBase64` pair QStash's JSON uses: UTF-8 text when it is valid UTF-8, base64 otherwise. */

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return null;
  }
}

/**
 * A message body as stored: one char per byte (latin1), so any bytes survive
 * exactly, at a third less than base64 and without a Buffer object per message.
 */
export type StoredBody = string;

export const storeBody = (bytes: Uint8Array): StoredBody =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
export const bodyBytes = (stored: StoredBody): Buffer => Buffer.from(stored, "latin1");
export const bodyBase64 = (stored: StoredBody): string => bodyBytes(stored).toString("base64");

export function bodyFields(bodyBase64: string, names: { text: string; base64: string }): Record<string, string> {
  if (!bodyBase64) return {};
  const text = decodeUtf8(Buffer.from(bodyBase64, "base64"));
  return text === null ? { [names.base64]: bodyBase64 } : { [names.text]: text };
}

/** JSON request body, or 400. */
export function parseJsonBody(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString("utf8") || "null");
  } catch {
    throw badRequest("request body is not valid JSON");
  }
}
