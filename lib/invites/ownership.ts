import type { Services } from "../deps";
import { getOrg, type Org } from "../orgs/store";

/** Everything a member-management call can answer besides success; the page shows `message`. */
export type ManageFailure = {
  ok: false;
  reason:
    | "not_found"
    | "forbidden"
    | "invalid"
    | "already_member"
    | "already_invited"
    | "not_pending"
    | "conflict"
    | "unavailable"
    | "rate_limited"
    | "resend_limit"
    | "unverified";
  message: string;
};

export const fail = (reason: ManageFailure["reason"], message: string): ManageFailure => ({ ok: false, reason, message });

/** The org, if `actorUserId` owns it; members pages and every change go through this. */
export async function loadOwnedOrg(
  services: Services,
  orgId: string,
  actorUserId: string,
): Promise<{ ok: true; org: Org } | ManageFailure> {
  const org = await getOrg(services.redis, orgId);
  if (!org) return fail("not_found", "This organisation doesn't exist.");
  if (org.ownerId !== actorUserId) return fail("forbidden", "Only the owner of this organisation can manage its members.");
  return { ok: true, org };
}
