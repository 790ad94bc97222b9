import { badRequest } from "./errors";

const SECOND_MS = 1_000;
const DAY_MS = 86_400_000;
const PUBLISH_UNITS_MS: Record<string, number> = { s: SECOND_MS, m: 60 * SECOND_MS, h: 3_600 * SECOND_MS, d: DAY_MS };
const GO_UNITS_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: SECOND_MS,
  m: 60 * SECOND_MS,
  h: 3_600 * SECOND_MS,
};

/**
 * `Upstash-Delay`, `Upstash-Timeout`, flow-control `period`: `<n><unit>` with
 * units s/m/h/d, compound forms like `1d10h30m` allowed. A bare integer means
 * seconds (what the SDK would have turned into `<n>s` anyway).
 * @returns milliseconds
 */
export function parseDurationMs(value: string, headerName: string): number {
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * SECOND_MS;
  if (!/^(\d+[smhd])+$/.test(text))
    throw badRequest(`invalid ${headerName}: ${JSON.stringify(value)}, want a duration like 10s, 5m or 1d10h30m`);
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+)([smhd])/g)) total += Number(amount) * PUBLISH_UNITS_MS[unit!]!;
  return total;
}

/** Go's `time.ParseDuration` syntax (`6m5s`, `1.5h`, `300ms`), which rate-limit headers use. Null when it isn't one. */
export function parseGoDurationMs(value: string): number | null {
  const text = value.trim();
  if (text === "0") return 0;
  const pattern = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/gy;
  let total = 0;
  let consumed = 0;
  for (const match of text.matchAll(pattern)) {
    total += Number(match[1]) * GO_UNITS_MS[match[2]!]!;
    consumed += match[0].length;
  }
  return consumed > 0 && consumed === text.length ? total : null;
}

/**
 * A wait hint from a destination's `Retry-After` / `X-RateLimit-Reset*`
 * header: integer seconds, an RFC 1123 date, or a Go duration. Values above a
 * day are ignored (null) so the default backoff applies, as QStash does.
 * @returns milliseconds to wait, or null when unusable
 */
export function parseRetryAfterMs(value: string, nowMs: number): number | null {
  const text = value.trim();
  let waitMs: number | null = null;
  if (/^\d+$/.test(text)) waitMs = Number(text) * SECOND_MS;
  else if (/^\d+\.\d+$/.test(text)) waitMs = Math.round(Number(text) * SECOND_MS);
  else {
    waitMs = parseGoDurationMs(text);
    if (waitMs === null && /[a-z]{3},/i.test(text)) {
      const at = Date.parse(text);
      if (!Number.isNaN(at)) waitMs = Math.max(0, at - nowMs);
    }
  }
  if (waitMs === null || waitMs > DAY_MS) return null;
  return Math.max(0, Math.round(waitMs));
}

/** `3_600_000` → `1h`, for log lines and the dashboard. */
export function formatMs(ms: number): string {
  if (ms < SECOND_MS) return `${ms}ms`;
  const parts: string[] = [];
  let rest = Math.round(ms / SECOND_MS);
  for (const [unit, size] of [
    ["d", 86_400],
    ["h", 3_600],
    ["m", 60],
    ["s", 1],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join("") || "0s";
}
