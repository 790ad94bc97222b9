import { cookies } from "next/headers";
import { getSessionUser } from "@/lib/auth/session";
import { getServices } from "@/lib/services";
import { SESSION_COOKIE, SESSION_TTL_SECONDS, secureCookies } from "@/lib/sessions";
import type { User } from "@/lib/users/store";

/** The signed-in user from the "session" cookie, or null. */
export async function currentUser(): Promise<User | null> {
  const token = (await cookies()).get(SESSION_COOKIE)?.value;
  return getSessionUser(getServices(), token);
}

export async function sessionToken(): Promise<string | undefined> {
  return (await cookies()).get(SESSION_COOKIE)?.value;
}

export async function setSessionCookie(token: string): Promise<void> {
  (await cookies()).set(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: "lax",
    secure: secureCookies(getServices().env.APP_URL),
    maxAge: SESSION_TTL_SECONDS,
    path: "/",
  });
}

export async function clearSessionCookie(): Promise<void> {
  (await cookies()).delete(SESSION_COOKIE);
}
