import {
  inviteKey,
  inviteTokenKey,
  orgInvitesKey,
  orgPendingKey,
  REMOVE_INVITE_LUA,
  TOKEN_INDEX_GRACE_MS,
} from "../invites/store";
import { scanBounded } from "./scan";
import type { CleanupTask } from "./task";

/**
 * Pure: is this stored invite (a raw hash) one to delete? Expired ones go once
 * their link's grace period is over too, so an old link still shows "expired"
 * until then; ACCEPTED and CANCELLED stay (they are the org's history). Anything
 * without the fields we expect is not ours to judge and stays.
 */
export function isRemovableInvite(raw: Record<string, unknown> | null, nowMs: number): boolean {
  if (!raw) return false;
  const status = raw.status;
  const expiresAt = Number(raw.expiresAt);
  if (typeof raw.id !== "string" || typeof raw.orgId !== "string" || raw.email === undefined || raw.tokenHash === undefined)
    return false;
  if (!Number.isFinite(expiresAt)) return false;
  if (status !== "PENDING" && status !== "EXPIRED") return false;
  return expiresAt + TOKEN_INDEX_GRACE_MS <= nowMs;
}

// KEYS: invite, token index, org invites, org pending. ARGV: id, email, cutoff (expiresAt must be ≤ it).
// Re-checked inside the script: a resend since the scan gave the invite a new expiry and it stays.
const REMOVE_IF_EXPIRED = `
local f = redis.call('HMGET', KEYS[1], 'status', 'expiresAt')
if (f[1] ~= 'PENDING' and f[1] ~= 'EXPIRED') or (not tonumber(f[2])) or tonumber(f[2]) > tonumber(ARGV[3]) then return 0 end
${REMOVE_INVITE_LUA}`;

/** Invites (`invite:<id>` hashes) that expired more than the link grace period ago. */
export const expiredInvitesTask: CleanupTask = {
  name: "expired-invites",
  async run({ redis, nowMs, signal, maxKeys }) {
    let removed = 0;
    // `invite:by-token:*` are strings with their own TTL; TYPE hash leaves them out.
    const { scanned, complete } = await scanBounded(
      redis,
      "expired-invites",
      { match: "invite:*", type: "hash" },
      { maxKeys, signal },
      async (keys) => {
        const pipeline = redis.pipeline();
        for (const key of keys) pipeline.hgetall(key);
        const rows = await pipeline.exec<Array<Record<string, unknown> | null>>();
        for (const [index, row] of rows.entries()) {
          if (!isRemovableInvite(row, nowMs) || keys[index] !== inviteKey(String(row!.id))) continue;
          const id = String(row!.id);
          const email = String(row!.email);
          const orgId = String(row!.orgId);
          removed += Number(
            await redis.eval(
              REMOVE_IF_EXPIRED,
              [inviteKey(id), inviteTokenKey(String(row!.tokenHash)), orgInvitesKey(orgId), orgPendingKey(orgId)],
              [id, email, nowMs - TOKEN_INDEX_GRACE_MS],
            ),
          );
        }
      },
    );
    return { task: "expired-invites", scanned, removed, complete };
  },
};
