import type { Redis } from "@upstash/redis";
import { isRandomToken, randomToken, sha256Hex } from "../crypto";
import { OUTBOX_ADD_LUA, withOutboxEntry, type OutboxEntry } from "../job-runtime";
import { userKey, type User } from "./store";

/**
 * Proof that a person receives mail at their account's address, with the same
 * token rules as invite links: 256 random bits, only the SHA-256 stored, one
 * use, an expiry, and a resend replaces the previous link.
 *
 * Until it is verified an address can't send or accept invites: otherwise
 * whoever held a forwarded invite link could sign up with the invitee's
 * address and join in their place.
 */
export const VERIFY_TOKEN_TTL_MS = 24 * 60 * 60 * 1000;

export const verifyTokenKey = (tokenHash: string) => `email-verify:${tokenHash}`;

export function isVerified(user: Pick<User, "emailVerifiedAt">): boolean {
  return typeof user.emailVerifiedAt === "number" && Number.isFinite(user.emailVerifiedAt);
}

// KEYS: token index, user (+ the outbox's two)
// ARGV: tokenHash, userId, email, ttlMs (+ the outbox entry's three)
// The user's latest token hash lives on the user: a resend makes every earlier link stale at once.
const ISSUE = `${OUTBOX_ADD_LUA}
local email = redis.call('HGET', KEYS[2], 'email')
if not email or email ~= ARGV[3] then return 'unknown' end
if redis.call('HEXISTS', KEYS[2], 'emailVerifiedAt') == 1 then return 'verified' end
redis.call('HSET', KEYS[2], 'verifyTokenHash', ARGV[1])
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[4])
if #KEYS > 2 then outbox_add() end
return 'issued'`;

// KEYS: token index, user (derived from the index by the caller's first read; re-checked here)
// ARGV: tokenHash, userId, nowMs
const VERIFY = `
local owner = redis.call('GET', KEYS[1])
if not owner or owner ~= ARGV[2] then return 'unknown' end
if redis.call('HEXISTS', KEYS[2], 'emailVerifiedAt') == 1 then
  redis.call('DEL', KEYS[1])
  return 'already'
end
if redis.call('HGET', KEYS[2], 'verifyTokenHash') ~= ARGV[1] then return 'superseded' end
redis.call('DEL', KEYS[1])
redis.call('HDEL', KEYS[2], 'verifyTokenHash')
redis.call('HSET', KEYS[2], 'emailVerifiedAt', ARGV[3])
return 'verified'`;

export type IssueResult =
  | { state: "issued"; token: string; expiresAt: number; email?: OutboxEntry }
  | { state: "verified" }
  | { state: "unknown" };

/**
 * A fresh link token for `user`, replacing any earlier one; nothing to do once
 * the address is verified. `email` builds the outbox entry of the email that
 * carries the link, written by the same script: a live link always has its email on the way.
 */
export async function issueVerificationToken(
  redis: Redis,
  user: Pick<User, "id" | "email">,
  nowMs: number,
  email?: (link: { token: string; expiresAt: number }) => OutboxEntry,
): Promise<IssueResult> {
  const token = randomToken();
  const tokenHash = await sha256Hex(token);
  const expiresAt = nowMs + VERIFY_TOKEN_TTL_MS;
  const entry = email?.({ token, expiresAt });
  const keys = [verifyTokenKey(tokenHash), userKey(user.id)];
  const args = [tokenHash, user.id, user.email, VERIFY_TOKEN_TTL_MS];
  const script = entry ? withOutboxEntry(keys, args, entry) : { keys, args: args.map(String) };
  const answer = String(await redis.eval(ISSUE, script.keys, script.args));
  if (answer === "issued") return { state: "issued", token, expiresAt, ...(entry && { email: entry }) };
  if (answer === "verified") return { state: "verified" };
  return { state: "unknown" };
}

export type VerifyResult =
  | { ok: true; userId: string }
  | { ok: false; reason: "unknown" | "superseded" | "already_verified"; userId?: string };

/** Spends a link: of any number of parallel uses exactly one verifies. Unknown covers expired. */
export async function verifyEmailToken(redis: Redis, token: string, nowMs: number): Promise<VerifyResult> {
  if (!isRandomToken(token)) return { ok: false, reason: "unknown" };
  const tokenHash = await sha256Hex(token);
  const owner = await redis.get<string>(verifyTokenKey(tokenHash));
  if (owner === null || owner === undefined) return { ok: false, reason: "unknown" };
  const userId = String(owner);
  const answer = String(await redis.eval(VERIFY, [verifyTokenKey(tokenHash), userKey(userId)], [tokenHash, userId, nowMs]));
  switch (answer) {
    case "verified":
      return { ok: true, userId };
    case "already":
      return { ok: false, reason: "already_verified", userId };
    case "superseded":
      return { ok: false, reason: "superseded" };
    default:
      return { ok: false, reason: "unknown" };
  }
}

/** Whether a link still works, for the page that shows it; never changes anything. */
export async function lookupVerificationToken(redis: Redis, token: string): Promise<"valid" | "unknown"> {
  if (!isRandomToken(token)) return "unknown";
  const owner = await redis.get(verifyTokenKey(await sha256Hex(token)));
  return owner === null || owner === undefined ? "unknown" : "valid";
}

/** The link in the email. A GET only shows a button: mail scanners that open links can't spend it. */
export function verifyUrl(appUrl: string, token: string): string {
  return `${appUrl}/verify-email/${token}`;
}

/** True while `verifyUrl`'s token is the user's latest and the address is still unverified (the job skips stale links). */
export async function verificationLinkIsCurrent(redis: Redis, userId: string, verifyUrl: string): Promise<boolean> {
  const token = new URL(verifyUrl).pathname.split("/").pop() ?? "";
  if (!isRandomToken(token)) return false;
  const [current, verifiedAt] = await redis
    .hmget<Record<string, unknown>>(userKey(userId), "verifyTokenHash", "emailVerifiedAt")
    .then((fields) => (fields ? [fields.verifyTokenHash, fields.emailVerifiedAt] : [null, null]));
  if (verifiedAt !== null && verifiedAt !== undefined) return false;
  return typeof current === "string" && current === (await sha256Hex(token));
}
