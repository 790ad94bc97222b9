import { badRequest } from "./errors";

export type Destination = { kind: "url"; url: string } | { kind: "topic"; name: string };

const TOPIC_NAME = /^[A-Za-z0-9._-]+$/;

/**
 * Rebuilds a destination from the raw request path after the route prefix and
 * the raw query string. The SDK puts the URL in the path unencoded, so its own
 * query string arrives as ours. Proxies sometimes collapse `//`, so `http:/x`
 * is repaired; a fully percent-encoded URL is accepted too.
 */
export function parseDestination(rawPath: string, rawQuery: string): Destination {
  let text = rawPath;
  if (/^https?%3a/i.test(text)) text = safeDecode(text);
  const query = withoutToken(rawQuery);
  if (/^https?:/i.test(text)) {
    text = text.replace(/^(https?):\/*/i, (_match, scheme: string) => `${scheme.toLowerCase()}://`);
    const url = query ? `${text}?${query}` : text;
    return { kind: "url", url: validateUrl(url, "destination") };
  }
  const name = safeDecode(text);
  if (!TOPIC_NAME.test(name)) {
    throw badRequest(`invalid destination ${JSON.stringify(text)}: want an http(s) URL or a URL group name`);
  }
  return { kind: "topic", name };
}

/** Absolute http(s) URL with a host, or 400. Returns the text unchanged so `sub` matches what the caller asked for. */
export function validateUrl(url: string, what: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw badRequest(`invalid ${what} ${JSON.stringify(url)}: not a URL`);
  }
  if ((parsed.protocol !== "http:" && parsed.protocol !== "https:") || !parsed.hostname) {
    throw badRequest(`invalid ${what} ${JSON.stringify(url)}: want an absolute http(s) URL`);
  }
  return url;
}

/** `?qstash_token=` authenticates the API call; it must not leak into the destination. */
function withoutToken(rawQuery: string): string {
  if (!rawQuery.includes("qstash_token=")) return rawQuery;
  return rawQuery
    .split("&")
    .filter((pair) => !pair.startsWith("qstash_token="))
    .join("&");
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw badRequest(`invalid destination ${JSON.stringify(text)}: bad percent-encoding`);
  }
}
