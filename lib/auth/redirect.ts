/**
 * The one place a user-supplied `next` becomes a redirect target.
 *
 * Checking the string's prefix is not enough: `/..//evil.example/x` starts with
 * a single slash, yet resolving it (as the browser and Next's client router do)
 * gives `//evil.example/x`, another site. So the candidate is resolved against
 * APP_URL with the URL parser, exactly as a browser would, and only a result on
 * APP_URL's own origin is kept, returned as its normalised path.
 */

/** Longer `next` values are refused outright; no page of ours needs one. */
const MAX_NEXT_LENGTH = 1000;

/**
 * Characters that browsers strip or reinterpret before parsing (controls, tab, newline),
 * backslashes (read as `/` in special URLs) and encoded slashes or backslashes (decoded
 * by some routers after our check).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point: browsers strip them before parsing.
const REFUSED = /[\u0000-\u001f\u007f\\]|%2f|%5c/i;

export interface ResolveNextOptions {
  /** Returned when `next` is missing or refused. */
  fallback: string;
  /** Only paths under this prefix are accepted (e.g. "/admin"); segment-aware. */
  within?: string;
}

/**
 * A same-origin path (`/a/b?c#d`) for `next`, or `options.fallback`. Never `//…`,
 * never another origin, whatever the dot segments, slashes or encodings in `next`.
 */
export function resolveNext(next: unknown, appUrl: string, options: ResolveNextOptions): string {
  if (typeof next !== "string" || next.length === 0 || next.length > MAX_NEXT_LENGTH) return options.fallback;
  // Relative paths only: absolute URLs (even our own) and scheme-relative ones are refused before parsing.
  if (!next.startsWith("/") || next.startsWith("//") || REFUSED.test(next)) return options.fallback;
  let base: URL;
  let resolved: URL;
  try {
    base = new URL(appUrl);
    resolved = new URL(next, base.origin);
  } catch {
    return options.fallback;
  }
  if (resolved.origin !== base.origin) return options.fallback;
  const path = resolved.pathname;
  // Dot segments may still collapse into `//host` inside our origin; a browser would read that as another site.
  if (!path.startsWith("/") || path.startsWith("//") || REFUSED.test(path)) return options.fallback;
  if (options.within && !isWithin(path, options.within)) return options.fallback;
  return `${path}${resolved.search}${resolved.hash}`;
}

function isWithin(path: string, prefix: string): boolean {
  const root = prefix.replace(/\/+$/, "");
  return path === root || path.startsWith(`${root}/`);
}
