"use server";

import { redirect } from "next/navigation";
import { resolveNext } from "@/lib/auth/redirect";
import { getServices } from "@/lib/services";
import { verifyEmailToken } from "@/lib/users/email-verification";
import { getUser } from "@/lib/users/store";
import { currentUser } from "../../signin/session-cookie";

/** Spends the link (POST only: a mail scanner opening the GET link can't). Then on to sign-in, or onward if already signed in. */
export async function confirmEmailAction(form: FormData): Promise<void> {
  const services = getServices();
  const token = String(form.get("token") ?? "");
  const next = resolveNext(form.get("next"), services.env.APP_URL, { fallback: "/account" });
  const result = await verifyEmailToken(services.redis, token, services.clock.now());
  if (!result.ok && result.reason !== "already_verified") {
    redirect(`/verify-email/${encodeURIComponent(token.slice(0, 100))}?result=${result.reason}`);
  }
  const [user, verified] = await Promise.all([currentUser(), result.userId ? getUser(services.redis, result.userId) : null]);
  if (user && verified && user.id === verified.id) redirect(next);
  const signIn = new URLSearchParams({ verified: "1", next, ...(verified && { email: verified.email }) });
  redirect(`/signin?${signIn.toString()}`);
}
