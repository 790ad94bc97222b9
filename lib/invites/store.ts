import { orgMembersKey, userOrgsKey } from "../orgs/store";
import { OUTBOX_ADD_LUA, withOutboxEntry, type OutboxEntry, type Redis } from "../job-runtime";

const INVITE_STATUSES = ["PENDING", "ACCEPTED", "EXPIRED", "CANCELLED"] as const;
export type InviteStatus = (typeof INVITE_STATUSES)[number];

/** An invitation of one email address to one organisation. Times are Unix epoch ms. */
export interface Invite {
  id: string;
  orgId: string;
  /** Normalised (trimmed, lower-case) address the invite was sent to. */
  email: string;
  /** User id of the member who sent it. */
  invitedBy: string;
  /**
   * As stored. A PENDING invite past `expiresAt` is expired even before anything
   * writes EXPIRED; read it through `effectiveStatus`.
   */
  status: InviteStatus;
  /** SHA-256 (hex) of the current link's token; the raw token is never stored. */
  tokenHash: string;
  /** 1 for the first link, +1 per resend; part of the email's idempotency key. */
  generation: number;
  createdAt: number;
  /** When the current link was issued. */
  sentAt: number;
  expiresAt: number;
  acceptedAt?: number;
  acceptedBy?: string;
  cancelledAt?: number;
}

/** How long a link stays valid. */
export const INVITE_TTL_MS = 7 * 24 * 60 * 60 * 1000;
/** Token index entries outlive their link by this much, so an old link still gets a clear "expired" page. */
export const TOKEN_INDEX_GRACE_MS = 30 * 24 * 60 * 60 * 1000;
/** Invites listed per organisation; older ones drop off the list. */
const ORG_INVITES_LIMIT = 200;

export const inviteKey = (inviteId: string) => `invite:${inviteId}`;
export const inviteTokenKey = (tokenHash: string) => `invite:by-token:${tokenHash}`;
/** Sorted set of invite ids, scored by creation time. */
export const orgInvitesKey = (orgId: string) => `org:${orgId}:invites`;
/** Hash with `id:<email>` (pending invite id) and `exp:<email>` (its expiry, ms): one live invite per address. */
export const orgPendingKey = (orgId: string) => `org:${orgId}:pending-invites`;

/** PENDING past its expiry reads as EXPIRED; everything else as stored. */
export function effectiveStatus(invite: Pick<Invite, "status" | "expiresAt">, nowMs: number): InviteStatus {
  return invite.status === "PENDING" && invite.expiresAt <= nowMs ? "EXPIRED" : invite.status;
}

// KEYS: invite, token index, org invites, org pending (+ the outbox's two)
// ARGV: id, orgId, email, invitedBy, tokenHash, nowMs, expiresAt, tokenIndexTtlMs, listLimit (+ the outbox entry's three)
const CREATE = `${OUTBOX_ADD_LUA}
local liveId = redis.call('HGET', KEYS[4], 'id:' .. ARGV[3])
if liveId then
  local liveExpiry = tonumber(redis.call('HGET', KEYS[4], 'exp:' .. ARGV[3]))
  if liveExpiry and liveExpiry > tonumber(ARGV[6]) then return 'exists:' .. liveId end
end
redis.call('HSET', KEYS[1], 'id', ARGV[1], 'orgId', ARGV[2], 'email', ARGV[3], 'invitedBy', ARGV[4],
  'status', 'PENDING', 'tokenHash', ARGV[5], 'generation', 1, 'createdAt', ARGV[6], 'sentAt', ARGV[6], 'expiresAt', ARGV[7])
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[8])
redis.call('ZADD', KEYS[3], ARGV[6], ARGV[1])
redis.call('ZREMRANGEBYRANK', KEYS[3], 0, -(tonumber(ARGV[9]) + 1))
redis.call('HSET', KEYS[4], 'id:' .. ARGV[3], ARGV[1], 'exp:' .. ARGV[3], ARGV[7])
if #KEYS > 4 then outbox_add() end
return 'created'`;

// KEYS: invite, new token index, org pending (+ the outbox's two)
// ARGV: id, email, newTokenHash, nowMs, expiresAt, tokenIndexTtlMs, maxGeneration, newGeneration (+ the outbox entry's three)
const ROTATE = `${OUTBOX_ADD_LUA}
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return 'unknown' end
if status ~= 'PENDING' and status ~= 'EXPIRED' then return status end
local current = tonumber(redis.call('HGET', KEYS[1], 'generation') or '1')
if current >= tonumber(ARGV[7]) then return 'resend_limit' end
if current + 1 ~= tonumber(ARGV[8]) then return 'stale' end
local liveId = redis.call('HGET', KEYS[3], 'id:' .. ARGV[2])
if liveId and liveId ~= ARGV[1] then
  local liveExpiry = tonumber(redis.call('HGET', KEYS[3], 'exp:' .. ARGV[2]))
  if liveExpiry and liveExpiry > tonumber(ARGV[4]) then return 'conflict' end
end
local generation = redis.call('HINCRBY', KEYS[1], 'generation', 1)
redis.call('HSET', KEYS[1], 'status', 'PENDING', 'tokenHash', ARGV[3], 'sentAt', ARGV[4], 'expiresAt', ARGV[5])
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[6])
redis.call('HSET', KEYS[3], 'id:' .. ARGV[2], ARGV[1], 'exp:' .. ARGV[2], ARGV[5])
outbox_add()
return 'rotated:' .. generation`;

// KEYS: invite, org pending
// ARGV: id, email, nowMs
const CANCEL = `
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return 'unknown' end
if status ~= 'PENDING' and status ~= 'EXPIRED' then return status end
redis.call('HSET', KEYS[1], 'status', 'CANCELLED', 'cancelledAt', ARGV[3])
if redis.call('HGET', KEYS[2], 'id:' .. ARGV[2]) == ARGV[1] then
  redis.call('HDEL', KEYS[2], 'id:' .. ARGV[2], 'exp:' .. ARGV[2])
end
return 'CANCELLED'`;

/*
 * The single-use accept. Everything is checked and changed in one script, so of
 * any number of parallel accepts exactly one sees PENDING and wins. The token
 * hash is compared here (not only in the lookup before it) so a link replaced
 * by a resend between lookup and accept is refused.
 */
// KEYS: invite, org pending, org members, user's orgs
// ARGV: id, tokenHash, nowMs, userId, orgId, email
const ACCEPT = `
local f = redis.call('HMGET', KEYS[1], 'tokenHash', 'status', 'expiresAt', 'orgId', 'email', 'acceptedBy')
if not f[2] or f[4] ~= ARGV[5] or f[5] ~= ARGV[6] then return 'unknown' end
if f[1] ~= ARGV[2] then return 'superseded' end
if f[2] == 'ACCEPTED' then
  if f[6] == ARGV[4] then return 'already_yours' end
  return 'ACCEPTED'
end
if f[2] ~= 'PENDING' then return f[2] end
if tonumber(f[3]) <= tonumber(ARGV[3]) then
  redis.call('HSET', KEYS[1], 'status', 'EXPIRED')
  return 'EXPIRED'
end
redis.call('HSET', KEYS[1], 'status', 'ACCEPTED', 'acceptedAt', ARGV[3], 'acceptedBy', ARGV[4])
if redis.call('HGET', KEYS[2], 'id:' .. ARGV[6]) == ARGV[1] then
  redis.call('HDEL', KEYS[2], 'id:' .. ARGV[6], 'exp:' .. ARGV[6])
end
redis.call('SADD', KEYS[3], ARGV[4])
redis.call('SADD', KEYS[4], ARGV[5])
return 'accepted'`;

/**
 * Lua that deletes an invite and every index entry still pointing at it, and
 * returns 1. KEYS: invite, token index, org invites, org pending. ARGV: id, email
 * (a script may add ARGV after these). The expired-invite cleanup runs the same
 * statements behind its own guard, so the two can't drift apart on the index layout.
 */
export const REMOVE_INVITE_LUA = `redis.call('DEL', KEYS[1])
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
redis.call('ZREM', KEYS[3], ARGV[1])
if redis.call('HGET', KEYS[4], 'id:' .. ARGV[2]) == ARGV[1] then
  redis.call('HDEL', KEYS[4], 'id:' .. ARGV[2], 'exp:' .. ARGV[2])
end
return 1`;

export type InsertResult = { state: "created" } | { state: "exists"; inviteId: string };

/**
 * Stores a new PENDING invite unless the address already has a live one in this
 * org. `email` is the outbox entry of its email, written by the same script: an
 * invite never exists without the job that sends its link. (Only fixtures that
 * stand for invites made long ago leave it out.)
 */
export async function insertInvite(
  redis: Redis,
  invite: Pick<Invite, "id" | "orgId" | "email" | "invitedBy" | "tokenHash" | "expiresAt">,
  nowMs: number,
  email?: OutboxEntry,
): Promise<InsertResult> {
  const keys = [inviteKey(invite.id), inviteTokenKey(invite.tokenHash), orgInvitesKey(invite.orgId), orgPendingKey(invite.orgId)];
  const args = [
    invite.id,
    invite.orgId,
    invite.email,
    invite.invitedBy,
    invite.tokenHash,
    nowMs,
    invite.expiresAt,
    tokenIndexTtlMs(invite.expiresAt, nowMs),
    ORG_INVITES_LIMIT,
  ];
  const withEmail = email ? withOutboxEntry(keys, args, email) : { keys, args: args.map(String) };
  const answer = String(await redis.eval(CREATE, withEmail.keys, withEmail.args));
  if (answer.startsWith("exists:")) return { state: "exists", inviteId: answer.slice("exists:".length) };
  if (answer !== "created") throw new Error(`unexpected answer from the create-invite script: ${answer}`);
  return { state: "created" };
}

export type RotateResult =
  | { state: "rotated"; generation: number }
  | { state: "unknown" }
  | { state: "conflict" }
  /** Another resend rotated it first: the new link's email would carry the wrong generation. */
  | { state: "stale" }
  | { state: "resend_limit" }
  | { state: "final"; status: InviteStatus };

/**
 * Gives a PENDING or EXPIRED invite a new token and a fresh expiry, as
 * generation `next.generation`, and writes `email` (the outbox entry that sends
 * the new link) in the same script: the new token is never live without it. The
 * old token stops working at once: accept compares against the stored hash.
 */
export async function rotateInviteToken(
  redis: Redis,
  invite: Pick<Invite, "id" | "orgId" | "email">,
  next: { tokenHash: string; expiresAt: number; generation: number },
  nowMs: number,
  maxResends: number,
  email: OutboxEntry,
): Promise<RotateResult> {
  const { keys, args } = withOutboxEntry(
    [inviteKey(invite.id), inviteTokenKey(next.tokenHash), orgPendingKey(invite.orgId)],
    [
      invite.id,
      invite.email,
      next.tokenHash,
      nowMs,
      next.expiresAt,
      tokenIndexTtlMs(next.expiresAt, nowMs),
      1 + maxResends,
      next.generation,
    ],
    email,
  );
  const answer = String(await redis.eval(ROTATE, keys, args));
  if (answer.startsWith("rotated:")) return { state: "rotated", generation: Number(answer.slice("rotated:".length)) };
  if (answer === "unknown") return { state: "unknown" };
  if (answer === "conflict") return { state: "conflict" };
  if (answer === "stale") return { state: "stale" };
  if (answer === "resend_limit") return { state: "resend_limit" };
  return { state: "final", status: toStatus(answer) };
}

export type CancelResult = { state: "cancelled" } | { state: "unknown" } | { state: "final"; status: InviteStatus };

export async function cancelInviteRecord(
  redis: Redis,
  invite: Pick<Invite, "id" | "orgId" | "email">,
  nowMs: number,
): Promise<CancelResult> {
  const answer = String(
    await redis.eval(CANCEL, [inviteKey(invite.id), orgPendingKey(invite.orgId)], [invite.id, invite.email, nowMs]),
  );
  if (answer === "CANCELLED") return { state: "cancelled" };
  if (answer === "unknown") return { state: "unknown" };
  return { state: "final", status: toStatus(answer) };
}

/** `accepted`: this call made the membership. Every other answer changed nothing but an overdue EXPIRED. */
export type AcceptAnswer = "accepted" | "already_yours" | "superseded" | "unknown" | Exclude<InviteStatus, "PENDING">;

export async function acceptInviteRecord(
  redis: Redis,
  input: { invite: Pick<Invite, "id" | "orgId" | "email">; tokenHash: string; userId: string },
  nowMs: number,
): Promise<AcceptAnswer> {
  const { invite } = input;
  const answer = String(
    await redis.eval(
      ACCEPT,
      [inviteKey(invite.id), orgPendingKey(invite.orgId), orgMembersKey(invite.orgId), userOrgsKey(input.userId)],
      [invite.id, input.tokenHash, nowMs, input.userId, invite.orgId, invite.email],
    ),
  );
  switch (answer) {
    case "accepted":
    case "already_yours":
    case "superseded":
    case "unknown":
    case "ACCEPTED":
    case "EXPIRED":
    case "CANCELLED":
      return answer;
    default:
      throw new Error(`unexpected answer from the accept-invite script: ${answer}`);
  }
}

export async function getInvite(redis: Redis, inviteId: string): Promise<Invite | null> {
  const raw = await redis.hgetall<Record<string, unknown>>(inviteKey(inviteId));
  return raw && Object.keys(raw).length > 0 ? toInvite(raw) : null;
}

export async function findInviteIdByTokenHash(redis: Redis, tokenHash: string): Promise<string | null> {
  const id = await redis.get<string>(inviteTokenKey(tokenHash));
  return id === null || id === undefined ? null : String(id);
}

/** Newest first. */
export async function listOrgInvites(redis: Redis, orgId: string, limit = 50): Promise<Invite[]> {
  const ids = await redis.zrange<string[]>(orgInvitesKey(orgId), 0, limit - 1, { rev: true });
  if (ids.length === 0) return [];
  const pipeline = redis.pipeline();
  for (const id of ids) pipeline.hgetall(inviteKey(String(id)));
  const rows = await pipeline.exec<Array<Record<string, unknown> | null>>();
  return rows.flatMap((row) => (row && Object.keys(row).length > 0 ? [toInvite(row)] : []));
}

function tokenIndexTtlMs(expiresAt: number, nowMs: number): number {
  return Math.max(1, expiresAt - nowMs) + TOKEN_INDEX_GRACE_MS;
}

function toStatus(value: unknown): InviteStatus {
  const text = String(value);
  return (INVITE_STATUSES as readonly string[]).includes(text) ? (text as InviteStatus) : "CANCELLED";
}

/** The REST client JSON-parses values: coerce every field back to its type. */
function toInvite(raw: Record<string, unknown>): Invite {
  const optionalNumber = (value: unknown) => (value === undefined || value === null || value === "" ? undefined : Number(value));
  return {
    id: String(raw.id),
    orgId: String(raw.orgId),
    email: String(raw.email),
    invitedBy: String(raw.invitedBy),
    status: toStatus(raw.status),
    tokenHash: String(raw.tokenHash),
    generation: Number(raw.generation ?? 1),
    createdAt: Number(raw.createdAt),
    sentAt: Number(raw.sentAt ?? raw.createdAt),
    expiresAt: Number(raw.expiresAt),
    acceptedAt: optionalNumber(raw.acceptedAt),
    acceptedBy: raw.acceptedBy === undefined || raw.acceptedBy === null ? undefined : String(raw.acceptedBy),
    cancelledAt: optionalNumber(raw.cancelledAt),
  };
}
