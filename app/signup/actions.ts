"use server";

import { redirect } from "next/navigation";
import { resolveNext } from "@/lib/auth/redirect";
import { getServices } from "@/lib/services";
import { signUp } from "@/lib/flows/sign-up";

export interface SignupFormState {
  fieldErrors: Record<string, string>;
  values: { name: string; email: string; locale: string; timeZone: string };
  /** Same-site path to return to after confirming and signing in (an invite link, say). */
  next?: string;
}

/**
 * A new address and a registered one get the same answer (the "check your
 * inbox" page) and neither gets a session: the answer reveals nothing.
 */
export async function signUpAction(_previous: SignupFormState, form: FormData): Promise<SignupFormState> {
  const values = {
    name: String(form.get("name") ?? ""),
    email: String(form.get("email") ?? ""),
    locale: String(form.get("locale") ?? "en"),
    timeZone: String(form.get("timeZone") ?? "UTC"),
  };
  const next = resolveNext(form.get("next"), getServices().env.APP_URL, { fallback: "" });
  const result = await signUp(
    getServices(),
    { ...values, password: String(form.get("password") ?? "") },
    { ...(next && { next }) },
  );
  if (!result.ok) return { fieldErrors: result.fieldErrors, values, next };
  const done = new URLSearchParams({ email: values.email.trim().toLowerCase() });
  if (next) done.set("next", next);
  redirect(`/signup/done?${done.toString()}`);
}
