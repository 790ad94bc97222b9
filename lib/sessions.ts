import { stageOutboxEntries, type OutboxEntry, type Redis } from "./job-runtime";
import { randomToken } from "./crypto";

export const SESSION_COOKIE = "session";
export const SESSION_TTL_SECONDS = 30 * 24 * 60 * 60;

/**
 * The one rule for the `Secure` flag of our cookies: set whenever the app is
 * served over https. Only local development runs on plain http, where a Secure
 * cookie would be dropped by the browser.
 */
export function secureCookies(appUrl: string): boolean {
  return appUrl.startsWith("https://");
}

const sessionKey = (token: string) => `session:${token}`;

/**
 * A random 256-bit token; only its Redis entry links it to the user. `followUp`
 * (e.g. the sign-in notification) goes into the outbox in the same transaction.
 */
export async function createSession(redis: Redis, userId: string, followUp?: OutboxEntry): Promise<string> {
  const token = randomToken(32);
  const tx = redis.multi().set(sessionKey(token), userId, { ex: SESSION_TTL_SECONDS });
  await (followUp ? stageOutboxEntries(tx, [followUp]) : tx).exec();
  return token;
}

export async function getSessionUserId(redis: Redis, token: string | undefined): Promise<string | null> {
  if (!token || token.length > 100) return null;
  const userId = await redis.get<string>(sessionKey(token));
  return userId ? String(userId) : null;
}

export async function deleteSession(redis: Redis, token: string): Promise<void> {
  await redis.del(sessionKey(token));
}
