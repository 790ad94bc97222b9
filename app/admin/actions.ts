"use server";

import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { ADMIN_COOKIE, createAdminSession, tokensMatch } from "@/lib/admin/auth";
import { getServices } from "@/lib/services";

export interface SignInState {
  error?: string;
}

/** Checks the token in constant time and sets the signed, httpOnly session cookie (never the token itself). */
export async function signInAction(_previous: SignInState, form: FormData): Promise<SignInState> {
  const { env, clock } = getServices();
  if (!env.ADMIN_TOKEN) return { error: "Admin is disabled: set ADMIN_TOKEN to use it." };
  const presented = String(form.get("token") ?? "");
  if (!presented || !(await tokensMatch(env.ADMIN_TOKEN, presented))) return { error: "That token is not right." };
  const session = await createAdminSession(env.ADMIN_TOKEN, clock.now());
  (await cookies()).set(ADMIN_COOKIE, session.value, {
    httpOnly: true,
    // Strict: the cookie never rides on a request started by another site.
    sameSite: "strict",
    secure: env.APP_URL.startsWith("https://"),
    maxAge: session.maxAgeSeconds,
    path: "/",
  });
  const next = String(form.get("next") ?? "");
  redirect(next.startsWith("/admin") ? next : "/admin");
}

export async function signOutAction(): Promise<void> {
  (await cookies()).delete(ADMIN_COOKIE);
  redirect("/admin");
}
