/** Bytes ⇄ the `body` / `bodyBase64` pair QStash's JSON uses: UTF-8 text when it is valid UTF-8, base64 otherwise. */

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

export function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return null;
  }
}

export function bodyFields(bodyBase64: string, names: { text: string; base64: string }): Record<string, string> {
  if (!bodyBase64) return {};
  const text = decodeUtf8(Buffer.from(bodyBase64, "base64"));
  return text === null ? { [names.base64]: bodyBase64 } : { [names.text]: text };
}
