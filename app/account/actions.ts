"use server";

import { redirect } from "next/navigation";
import { signOut } from "@/lib/auth/session";
import { getServices } from "@/lib/services";
import { clearSessionCookie, sessionToken } from "../signin/session-cookie";

export async function signOutAction(): Promise<void> {
  await signOut(getServices(), await sessionToken());
  await clearSessionCookie();
  redirect("/signin");
}
