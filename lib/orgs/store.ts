import type { Redis } from "../job-runtime";

/** An organisation: a name, one owner, and a set of member user ids (the owner included). */
export interface Org {
  id: string;
  name: string;
  /** User id of the owner; only the owner manages members and invites. */
  ownerId: string;
  /** Unix epoch ms. */
  createdAt: number;
}

const orgKey = (orgId: string) => `org:${orgId}`;
/** Set of user ids. */
export const orgMembersKey = (orgId: string) => `org:${orgId}:members`;
/** Set of org ids a user belongs to (the reverse index of `orgMembersKey`). */
export const userOrgsKey = (userId: string) => `org:by-user:${userId}`;

export const ORG_NAME_MAX = 100;

/** `org_` + 128 random bits in hex. */
function newOrgId(): string {
  return `org_${randomHex(16)}`;
}

export function randomHex(bytes: number): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** Creates the org with its owner as the first member, in one transaction. */
export async function createOrg(
  redis: Redis,
  input: { name: string; ownerId: string; id?: string },
  nowMs: number,
): Promise<Org> {
  const org: Org = { id: input.id ?? newOrgId(), name: input.name.trim(), ownerId: input.ownerId, createdAt: nowMs };
  const tx = redis.multi();
  tx.hset(orgKey(org.id), { ...org });
  tx.sadd(orgMembersKey(org.id), org.ownerId);
  tx.sadd(userOrgsKey(org.ownerId), org.id);
  await tx.exec();
  return org;
}

export async function getOrg(redis: Redis, orgId: string): Promise<Org | null> {
  const raw = await redis.hgetall<Record<string, unknown>>(orgKey(orgId));
  if (!raw || Object.keys(raw).length === 0) return null;
  // The REST client JSON-parses values, so a name like "2024" comes back as a number.
  return { id: String(raw.id), name: String(raw.name), ownerId: String(raw.ownerId), createdAt: Number(raw.createdAt) };
}

export async function listMemberIds(redis: Redis, orgId: string): Promise<string[]> {
  const ids = await redis.smembers<string[]>(orgMembersKey(orgId));
  return ids.map(String).sort();
}

export async function isMember(redis: Redis, orgId: string, userId: string): Promise<boolean> {
  return (await redis.sismember(orgMembersKey(orgId), userId)) === 1;
}

/** The orgs a user belongs to, by name. */
export async function listUserOrgs(redis: Redis, userId: string): Promise<Org[]> {
  const ids = (await redis.smembers<string[]>(userOrgsKey(userId))).map(String);
  const orgs = await Promise.all(ids.map((id) => getOrg(redis, id)));
  return orgs.filter((org): org is Org => org !== null).sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}
