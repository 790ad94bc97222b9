"use server";

import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { clientIp, userAgent } from "@/lib/auth/client-info";
import { resolveNext } from "@/lib/auth/redirect";
import { signOut } from "@/lib/auth/session";
import { signIn } from "@/lib/flows/sign-in";
import { getServices } from "@/lib/services";
import { sessionToken, setSessionCookie } from "./session-cookie";

export interface SignInFormState {
  error: string | null;
  email: string;
}

export async function signInAction(_previous: SignInFormState, form: FormData): Promise<SignInFormState> {
  const email = String(form.get("email") ?? "");
  const requestHeaders = await headers();
  const result = await signIn(getServices(), {
    email,
    password: String(form.get("password") ?? ""),
    ip: clientIp(requestHeaders),
    userAgent: userAgent(requestHeaders),
  });
  if (!result.ok) return { error: result.error, email };
  // Signing in again (perhaps as someone else) ends the browser's previous session instead of orphaning it.
  const previous = await sessionToken();
  if (previous && previous !== result.sessionToken) await signOut(getServices(), previous);
  await setSessionCookie(result.sessionToken);
  redirect(resolveNext(form.get("next"), getServices().env.APP_URL, { fallback: "/account" }));
}
