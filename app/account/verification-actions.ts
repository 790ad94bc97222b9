"use server";

import { redirect } from "next/navigation";
import { getServices } from "@/lib/services";
import { sendVerificationLink } from "@/lib/flows/verification-mail";
import { currentUser } from "../signin/session-cookie";

/** The banner's "Send a new link": a fresh link replaces the old one; limited per address. */
export async function resendVerificationAction(): Promise<void> {
  const user = await currentUser();
  if (!user) redirect("/signin?next=/account");
  let notice: string;
  try {
    const sent = await sendVerificationLink(getServices(), user);
    notice = sent.state === "queued" ? "verification-sent" : sent.state === "rate_limited" ? "verification-limited" : "verified";
  } catch (error) {
    console.error(JSON.stringify({ level: "error", event: "verification_resend_failed", userId: user.id, error: String(error) }));
    notice = "verification-unavailable";
  }
  redirect(`/account?notice=${notice}`);
}
