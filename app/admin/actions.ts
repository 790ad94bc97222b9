"use server";

import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { ADMIN_COOKIE, closeAdminSession, createAdminSession, redisAdminSessions, tokensMatch } from "@/lib/admin/auth";
import { resolveNext } from "@/lib/auth/redirect";
import { getServices } from "@/lib/services";
import { secureCookies } from "@/lib/sessions";

export interface SignInState {
  error?: string;
}

/** Checks the token in constant time and sets the signed, httpOnly session cookie (never the token itself). */
export async function signInAction(_previous: SignInState, form: FormData): Promise<SignInState> {
  const { env, clock, redis } = getServices();
  if (!env.ADMIN_TOKEN) return { error: "Admin is disabled: set ADMIN_TOKEN to use it." };
  const presented = String(form.get("token") ?? "");
  if (!presented || !(await tokensMatch(env.ADMIN_TOKEN, presented))) return { error: "That token is not right." };
  const session = await createAdminSession(env.ADMIN_TOKEN, redisAdminSessions(redis), clock.now());
  (await cookies()).set(ADMIN_COOKIE, session.value, {
    httpOnly: true,
    // Strict: the cookie never rides on a request started by another site.
    sameSite: "strict",
    secure: secureCookies(env.APP_URL),
    maxAge: session.maxAgeSeconds,
    path: "/",
  });
  redirect(resolveNext(form.get("next"), env.APP_URL, { fallback: "/admin", within: "/admin" }));
}

/** Closes the session server-side first: a copy of the cookie elsewhere stops working too. */
export async function signOutAction(): Promise<void> {
  const { env, clock, redis } = getServices();
  const jar = await cookies();
  if (env.ADMIN_TOKEN)
    await closeAdminSession(env.ADMIN_TOKEN, jar.get(ADMIN_COOKIE)?.value, clock.now(), redisAdminSessions(redis));
  jar.delete(ADMIN_COOKIE);
  redirect("/admin");
}
