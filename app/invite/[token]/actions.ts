"use server";

import { redirect } from "next/navigation";
import { acceptInvite } from "@/lib/invites/accept";
import { getServices } from "@/lib/services";
import { currentUser } from "../../signin/session-cookie";

export async function acceptInviteAction(token: string): Promise<void> {
  const user = await currentUser();
  if (!user) redirect(`/signin?next=${encodeURIComponent(`/invite/${token}`)}`);
  const result = await acceptInvite(getServices(), { token, userId: user.id });
  if (result.ok) redirect(`/account?joined=${encodeURIComponent(result.orgId)}`);
  redirect(`/invite/${token}?result=${result.reason}`);
}
