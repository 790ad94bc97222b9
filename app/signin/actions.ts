"use server";

import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { clientIp, userAgent } from "@/lib/auth/client-info";
import { safeNextPath } from "@/lib/auth/session";
import { signIn } from "@/lib/auth/signin";
import { getServices } from "@/lib/services";
import { setSessionCookie } from "./session-cookie";

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
  await setSessionCookie(result.sessionToken);
  redirect(safeNextPath(form.get("next")));
}
