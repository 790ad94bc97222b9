import type { RequestContext, Reply } from "./http";

export type Handler = (ctx: RequestContext, params: string[]) => Reply | Promise<Reply>;

export interface Route {
  methods: string[];
  /** Matched against the raw path; capture groups become `params`, percent-decoded unless `raw`. */
  pattern: RegExp;
  handler: Handler;
  /** Leave captures undecoded (publish destinations are taken as raw text). */
  raw?: boolean;
}

export function route(methods: string | string[], pattern: RegExp, handler: Handler, raw = false): Route {
  return { methods: Array.isArray(methods) ? methods : [methods], pattern, handler, raw };
}

export type Match =
  | { kind: "found"; route: Route; params: string[] }
  | { kind: "wrong-method"; allowed: string[] }
  | { kind: "none" };

/** First route whose pattern and method match; "wrong-method" lets the server answer 405 instead of 404. */
export function matchRoute(routes: Route[], method: string, path: string): Match {
  const allowed: string[] = [];
  for (const candidate of routes) {
    const match = candidate.pattern.exec(path);
    if (!match) continue;
    if (!candidate.methods.includes(method)) {
      allowed.push(...candidate.methods);
      continue;
    }
    const params = match.slice(1).map((value) => (candidate.raw ? (value ?? "") : safeDecode(value ?? "")));
    return { kind: "found", route: candidate, params };
  }
  return allowed.length > 0 ? { kind: "wrong-method", allowed } : { kind: "none" };
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
