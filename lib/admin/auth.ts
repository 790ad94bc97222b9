/**
 * Admin authentication with Web Crypto only (runs on Node.js and the Edge).
 *
 * The API accepts `Authorization: Bearer <ADMIN_TOKEN>` (CLI, scripts) or the
 * session cookie the /admin sign-in sets. The cookie holds an HMAC, never the
 * token: `v1.<expiresAtMs>.<HMAC-SHA256(ADMIN_TOKEN, "admin-session.v1.<expiresAtMs>")>`.
 * So a leaked cookie can't be replayed as a Bearer token or outlive its expiry,
 * no server-side session store is needed, and rotating ADMIN_TOKEN signs every
 * browser out at once.
 */

import { constantTimeEqual } from "../job-status/admin-auth";

export const ADMIN_COOKIE = "admin_session";
/** How long a sign-in lasts. */
export const ADMIN_SESSION_TTL_SECONDS = 12 * 60 * 60;
const SESSION_VERSION = "v1";

export type AdminAuth =
  | { ok: true; via: "bearer" | "cookie" }
  | { ok: false; status: 401 | 404; error: string };

const encoder = new TextEncoder();

async function hmac(key: string, message: string): Promise<Uint8Array> {
  const cryptoKey = await crypto.subtle.importKey("raw", encoder.encode(key), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", cryptoKey, encoder.encode(message)));
}

/** Constant-time token check (both sides hashed first, so length and prefix don't show in the timing). */
export const tokensMatch = constantTimeEqual;

function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** A signed session value for the cookie, valid until `nowMs + ttlSeconds`. */
export async function createAdminSession(
  adminToken: string,
  nowMs: number,
  ttlSeconds = ADMIN_SESSION_TTL_SECONDS,
): Promise<{ value: string; maxAgeSeconds: number }> {
  const expiresAt = nowMs + ttlSeconds * 1000;
  const signature = base64url(await hmac(adminToken, `admin-session.${SESSION_VERSION}.${expiresAt}`));
  return { value: `${SESSION_VERSION}.${expiresAt}.${signature}`, maxAgeSeconds: ttlSeconds };
}

export async function verifyAdminSession(adminToken: string, value: string | undefined | null, nowMs: number): Promise<boolean> {
  if (!value || value.length > 200) return false;
  const [version, expiresText, signature] = value.split(".");
  if (version !== SESSION_VERSION || !expiresText || !signature || !/^\d{1,16}$/.test(expiresText)) return false;
  if (Number(expiresText) <= nowMs) return false;
  const expected = base64url(await hmac(adminToken, `admin-session.${SESSION_VERSION}.${expiresText}`));
  return tokensMatch(expected, signature);
}

/** Reads one cookie from a `Cookie` header. */
export function readCookie(header: string | null, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const index = part.indexOf("=");
    if (index < 0) continue;
    if (part.slice(0, index).trim() !== name) continue;
    const raw = part.slice(index + 1).trim();
    try {
      return decodeURIComponent(raw);
    } catch {
      return raw;
    }
  }
  return undefined;
}

/** Who is calling: the Bearer token wins over the cookie. Never says which part was wrong. */
export async function authenticateAdmin(request: Request, adminToken: string | undefined, nowMs: number): Promise<AdminAuth> {
  if (!adminToken) return { ok: false, status: 404, error: "admin disabled (ADMIN_TOKEN is not set)" };
  const authorization = request.headers.get("authorization");
  if (authorization) {
    const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
    if (match && (await tokensMatch(adminToken, match[1]!))) return { ok: true, via: "bearer" };
    return { ok: false, status: 401, error: "unauthorized" };
  }
  const session = readCookie(request.headers.get("cookie"), ADMIN_COOKIE);
  if (session && (await verifyAdminSession(adminToken, session, nowMs))) return { ok: true, via: "cookie" };
  return { ok: false, status: 401, error: "unauthorized" };
}

/**
 * A cookie-authenticated change must come from our own pages. SameSite=Strict
 * already keeps the cookie off cross-site requests; this also refuses a
 * request whose Origin names another host.
 */
export function sameOrigin(request: Request): boolean {
  const origin = request.headers.get("origin");
  if (!origin) return request.headers.get("sec-fetch-site") !== "cross-site";
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    return false;
  }
  const hosts = [request.headers.get("x-forwarded-host"), request.headers.get("host"), safeHost(request.url)];
  return hosts.some((host) => host !== null && host !== undefined && host.split(",")[0]!.trim() === originHost);
}

function safeHost(url: string): string | undefined {
  try {
    return new URL(url).host;
  } catch {
    return undefined;
  }
}
