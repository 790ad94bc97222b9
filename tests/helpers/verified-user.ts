import type { Redis } from "@upstash/redis";
import { issueVerificationToken, verifyEmailToken } from "@/lib/users/email-verification";
import { createUser, type Locale, type User } from "@/lib/users/store";

/** Proves `user`'s address the way a person does: a link token is issued and spent. */
async function verifyAddress(redis: Redis, user: Pick<User, "id" | "email">, nowMs: number): Promise<User> {
  const issued = await issueVerificationToken(redis, user, nowMs);
  if (issued.state !== "issued") throw new Error(`could not issue a verification token: ${issued.state}`);
  const verified = await verifyEmailToken(redis, issued.token, nowMs);
  if (!verified.ok) throw new Error(`could not verify ${user.email}: ${verified.reason}`);
  return { ...(user as User), emailVerifiedAt: nowMs };
}

/** A user as sign-up leaves one: created, address not yet verified. */
export async function createUnverifiedUser(
  redis: Redis,
  input: { email: string; name: string; password?: string; locale?: Locale; timeZone?: string },
  nowMs: number,
): Promise<User> {
  const created = await createUser(redis, { password: "correct horse", locale: "en", timeZone: "UTC", ...input }, nowMs);
  if (!created.ok) throw new Error(`${input.email} exists`);
  return created.user;
}

/** A user whose address is already verified (invites need one). */
export async function createVerifiedUser(
  redis: Redis,
  input: { email: string; name: string; password?: string; locale?: Locale; timeZone?: string },
  nowMs: number,
): Promise<User> {
  return verifyAddress(redis, await createUnverifiedUser(redis, input, nowMs), nowMs);
}
