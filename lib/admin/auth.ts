/**
 * Admin authentication with Web Crypto only (runs on Node.js and the Edge).
 *
 * The API accepts `Authorization: Bearer <ADMIN_TOKEN>` (CLI, scripts) or the
 * session cookie the /admin sign-in sets. The cookie holds an HMAC, never the
 * token: `v2.<expiresAtMs>.<sessionId>.<HMAC-SHA256(ADMIN_TOKEN, "admin-session.v2.<expiresAtMs>.<sessionId>")>`.
 * So a leaked cookie can't be replayed as a Bearer token or outlive its expiry,
 * and rotating ADMIN_TOKEN signs every browser out at once. The session id must
 * also be open in Redis: signing out closes it there, so a copied cookie dies
 * with the sign-out instead of living on for the rest of its 12 hours.
 */

import type { Redis } from "@upstash/redis";
import { secretsEqual, toBase64Url } from "../crypto";

export const ADMIN_COOKIE = "admin_session";
/** How long a sign-in lasts. */
const ADMIN_SESSION_TTL_SECONDS = 12 * 60 * 60;
const SESSION_VERSION = "v2";

export type AdminAuth = { ok: true; via: "bearer" | "cookie" } | { ok: false; status: 401 | 404; error: string };

const encoder = new TextEncoder();

async function hmac(key: string, message: string): Promise<Uint8Array> {
  const cryptoKey = await crypto.subtle.importKey("raw", encoder.encode(key), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", cryptoKey, encoder.encode(message)));
}

/** Constant-time token check (both sides hashed first, so length and prefix don't show in the timing). */
export const tokensMatch = secretsEqual;

/** Server-side record of open admin sessions; a cookie is only good while its id is open here. */
export interface AdminSessions {
  open(sessionId: string, ttlMs: number): Promise<void>;
  isOpen(sessionId: string): Promise<boolean>;
  close(sessionId: string): Promise<void>;
}

const adminSessionKey = (sessionId: string) => `admin:session:${sessionId}`;

/** Open sessions as Redis keys that expire with their cookie. */
export function redisAdminSessions(redis: Pick<Redis, "set" | "exists" | "del">): AdminSessions {
  return {
    async open(sessionId, ttlMs) {
      await redis.set(adminSessionKey(sessionId), 1, { px: Math.max(1, Math.ceil(ttlMs)) });
    },
    async isOpen(sessionId) {
      return (await redis.exists(adminSessionKey(sessionId))) === 1;
    },
    async close(sessionId) {
      await redis.del(adminSessionKey(sessionId));
    },
  };
}

const SESSION_ID = /^[A-Za-z0-9_-]{22}$/;

/** A signed session value for the cookie, valid until `nowMs + ttlSeconds` or until signed out. */
export async function createAdminSession(
  adminToken: string,
  sessions: AdminSessions,
  nowMs: number,
  ttlSeconds = ADMIN_SESSION_TTL_SECONDS,
): Promise<{ value: string; maxAgeSeconds: number }> {
  const expiresAt = nowMs + ttlSeconds * 1000;
  const sessionId = toBase64Url(crypto.getRandomValues(new Uint8Array(16)));
  await sessions.open(sessionId, ttlSeconds * 1000);
  const signature = toBase64Url(await hmac(adminToken, `admin-session.${SESSION_VERSION}.${expiresAt}.${sessionId}`));
  return { value: `${SESSION_VERSION}.${expiresAt}.${sessionId}.${signature}`, maxAgeSeconds: ttlSeconds };
}

/** The session id of a cookie value that is well-formed, signed with `adminToken` and not expired; null otherwise. */
async function signedSessionId(adminToken: string, value: string | undefined | null, nowMs: number): Promise<string | null> {
  if (!value || value.length > 200) return null;
  const [version, expiresText, sessionId, signature, ...rest] = value.split(".");
  if (version !== SESSION_VERSION || !expiresText || !sessionId || !signature || rest.length > 0) return null;
  if (!/^\d{1,16}$/.test(expiresText) || !SESSION_ID.test(sessionId)) return null;
  if (Number(expiresText) <= nowMs) return null;
  const expected = toBase64Url(await hmac(adminToken, `admin-session.${SESSION_VERSION}.${expiresText}.${sessionId}`));
  return (await tokensMatch(expected, signature)) ? sessionId : null;
}

/**
 * True for a signed, unexpired cookie whose session is still open. Without a
 * session store nothing is accepted: a caller that forgets it fails closed.
 */
export async function verifyAdminSession(
  adminToken: string,
  value: string | undefined | null,
  nowMs: number,
  sessions: AdminSessions | undefined,
): Promise<boolean> {
  const sessionId = await signedSessionId(adminToken, value, nowMs);
  if (!sessionId || !sessions) return false;
  return sessions.isOpen(sessionId);
}

/** Signing out: the session closes server-side, so the cookie stops working wherever it was copied to. */
export async function closeAdminSession(
  adminToken: string,
  value: string | undefined | null,
  nowMs: number,
  sessions: AdminSessions,
): Promise<void> {
  const sessionId = await signedSessionId(adminToken, value, nowMs);
  if (sessionId) await sessions.close(sessionId);
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
export async function authenticateAdmin(
  request: Request,
  adminToken: string | undefined,
  nowMs: number,
  sessions?: AdminSessions,
): Promise<AdminAuth> {
  if (!adminToken) return { ok: false, status: 404, error: "admin disabled (ADMIN_TOKEN is not set)" };
  const authorization = request.headers.get("authorization");
  if (authorization) {
    const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
    if (match && (await tokensMatch(adminToken, match[1]!))) return { ok: true, via: "bearer" };
    return { ok: false, status: 401, error: "unauthorized" };
  }
  const session = readCookie(request.headers.get("cookie"), ADMIN_COOKIE);
  if (session && (await verifyAdminSession(adminToken, session, nowMs, sessions))) return { ok: true, via: "cookie" };
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
