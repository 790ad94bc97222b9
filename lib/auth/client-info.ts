/** Anything with `get(name)`: a Fetch `Headers`, or Next's `headers()`. */
export interface HeaderSource {
  get(name: string): string | null;
}

const IP_SHAPE = /^[0-9A-Za-z:.%_-]{1,64}$/;
const USER_AGENT_MAX = 512;

/**
 * The client's IP: the first `x-forwarded-for` entry, else `x-real-ip`. On
 * Vercel both are set by the platform's proxy (a client-sent value is
 * overwritten); elsewhere they are only as trustworthy as the proxy in front.
 * Used for display in a notification, never for access control.
 */
export function clientIp(headers: HeaderSource): string | null {
  const forwarded = headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  const candidate = forwarded || headers.get("x-real-ip")?.trim();
  return candidate && IP_SHAPE.test(candidate) ? candidate : null;
}

export function userAgent(headers: HeaderSource): string | null {
  const value = headers.get("user-agent")?.trim();
  return value ? value.slice(0, USER_AGENT_MAX) : null;
}
