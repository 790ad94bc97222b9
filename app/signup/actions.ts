"use server";

import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { resolveNext } from "@/lib/auth/redirect";
import { getServices } from "@/lib/services";
import { SESSION_COOKIE, SESSION_TTL_SECONDS } from "@/lib/sessions";
import { signUp } from "@/lib/flows/sign-up";

export interface SignupFormState {
  fieldErrors: Record<string, string>;
  values: { name: string; email: string; locale: string; timeZone: string };
  /** Same-site path to return to after signup (an invite link, say). */
  next?: string;
}

export async function signUpAction(_previous: SignupFormState, form: FormData): Promise<SignupFormState> {
  const values = {
    name: String(form.get("name") ?? ""),
    email: String(form.get("email") ?? ""),
    locale: String(form.get("locale") ?? "en"),
    timeZone: String(form.get("timeZone") ?? "UTC"),
  };
  const next = resolveNext(form.get("next"), getServices().env.APP_URL, { fallback: "" });
  const result = await signUp(getServices(), { ...values, password: String(form.get("password") ?? "") });
  if (!result.ok) return { fieldErrors: result.fieldErrors, values, next };
  (await cookies()).set(SESSION_COOKIE, result.sessionToken, {
    httpOnly: true,
    sameSite: "lax",
    secure: process.env.NODE_ENV === "production" && !getServices().env.APP_URL.startsWith("http://"),
    maxAge: SESSION_TTL_SECONDS,
    path: "/",
  });
  redirect(next || `/signup/done?email=${encodeURIComponent(result.user.email)}`);
}
