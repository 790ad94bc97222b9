"use server";

import { redirect } from "next/navigation";
import { resolveNext } from "@/lib/auth/redirect";
import { getServices } from "@/lib/services";
import { signUp } from "@/lib/flows/sign-up";
import { setSessionCookie } from "../signin/session-cookie";

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
  await setSessionCookie(result.sessionToken);
  redirect(next || `/signup/done?email=${encodeURIComponent(result.user.email)}`);
}
