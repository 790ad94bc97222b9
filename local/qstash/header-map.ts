import type { IncomingHttpHeaders } from "node:http";

/** Headers as QStash's JSON shows them: canonical name → values (`{"Content-Type":["application/json"]}`). */
export type HeaderMap = Record<string, string[]>;

/** Lower-case name → single value; repeated headers joined with ", " as HTTP allows. */
export type FlatHeaders = Record<string, string>;

/** Go's canonical MIME header form (`x-my-header` → `X-My-Header`), which the hosted service prints. */
export function canonicalHeaderName(name: string): string {
  return name
    .toLowerCase()
    .split("-")
    .map((part) => (part ? part[0]!.toUpperCase() + part.slice(1) : part))
    .join("-");
}

export function flattenHeaders(headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>): FlatHeaders {
  const flat: FlatHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    flat[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : String(value);
  }
  return flat;
}

/** Response headers of a delivery attempt, lower-case names, every value kept. */
export function collectHeaderValues(raw: string[]): HeaderMap {
  const map: HeaderMap = {};
  for (let index = 0; index + 1 < raw.length; index += 2) {
    const name = raw[index]!.toLowerCase();
    (map[name] ??= []).push(raw[index + 1]!);
  }
  return map;
}

export function canonicalizeHeaderMap(map: HeaderMap): HeaderMap {
  const out: HeaderMap = {};
  for (const [name, values] of Object.entries(map)) (out[canonicalHeaderName(name)] ??= []).push(...values);
  return out;
}
