import { listMemberIds, type Org } from "../orgs/store";
import type { Services } from "../deps";
import { getUser } from "../users/store";
import { loadOwnedOrg, type ManageFailure } from "./ownership";
import { effectiveStatus, listOrgInvites, type Invite, type InviteStatus } from "./store";

interface MemberRow {
  userId: string;
  name: string;
  email: string;
  isOwner: boolean;
}

interface InviteRow extends Invite {
  /** What to show: PENDING past its expiry reads EXPIRED. */
  shownStatus: InviteStatus;
  /** Resend and cancel are offered for live and expired invites only. */
  canManage: boolean;
}

export interface MembersView {
  ok: true;
  org: Org;
  members: MemberRow[];
  invites: InviteRow[];
}

/** Everything the owner's members page shows; a failure when the org is missing or not theirs. */
export async function loadMembersView(
  services: Services,
  orgId: string,
  actorUserId: string,
): Promise<MembersView | ManageFailure> {
  const owned = await loadOwnedOrg(services, orgId, actorUserId);
  if (!owned.ok) return owned;
  const { org } = owned;
  const [memberIds, invites] = await Promise.all([listMemberIds(services.redis, org.id), listOrgInvites(services.redis, org.id)]);
  const users = await Promise.all(memberIds.map((id) => getUser(services.redis, id)));
  const members = memberIds
    .map((userId, index) => {
      const user = users[index];
      return { userId, name: user?.name ?? "(deleted user)", email: user?.email ?? "", isOwner: userId === org.ownerId };
    })
    .sort((a, b) => Number(b.isOwner) - Number(a.isOwner) || a.name.localeCompare(b.name));
  const nowMs = services.clock.now();
  return {
    ok: true,
    org,
    members,
    invites: invites.map((invite) => {
      const shownStatus = effectiveStatus(invite, nowMs);
      return { ...invite, shownStatus, canManage: shownStatus === "PENDING" || shownStatus === "EXPIRED" };
    }),
  };
}
