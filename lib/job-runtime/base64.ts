const utf8 = new TextDecoder();

/**
 * Base64 (standard alphabet; `atob` takes it without its padding too, as in a JWT) to the
 * UTF-8 text it encodes, with Web APIs only so it runs on Edge too. A plain loop fills the
 * bytes: `Uint8Array.from(atob(…), mapFn)` calls a function per character and costs about
 * eight times as much. Throws on input that isn't base64.
 */
export function base64ToUtf8(base64: string): string {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return utf8.decode(bytes);
}

/** UTF-8 text from base64, or the input itself if it isn't base64: for bodies QStash stores either way. */
export function decodeBase64(text: string): string {
  try {
    return base64ToUtf8(text);
  } catch {
    return text;
  }
}
