import type { Services } from "../deps";
import { deleteSession, getSessionUserId } from "../sessions";
import { getUser, type User } from "../users/store";

/** The user behind a session cookie's token, or null (no cookie, expired session, deleted user). */
export async function getSessionUser(services: Services, token: string | undefined): Promise<User | null> {
  const userId = await getSessionUserId(services.redis, token);
  return userId ? getUser(services.redis, userId) : null;
}

export async function signOut(services: Services, token: string | undefined): Promise<void> {
  if (token) await deleteSession(services.redis, token);
}
