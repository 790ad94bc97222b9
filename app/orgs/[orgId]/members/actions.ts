"use server";

import { redirect } from "next/navigation";
import { cancelInvite, createInvite, resendInvite } from "@/lib/flows/invites";
import { getServices } from "@/lib/services";
import { currentUser } from "../../../signin/session-cookie";

export interface InviteFormState {
  error: string | null;
  /** Set after a successful invite, to confirm and clear the field. */
  sentTo: string | null;
}

async function signedInUserId(orgId: string): Promise<string> {
  const user = await currentUser();
  if (!user)
    redirect(/^org_[a-f0-9]{32}$/.test(orgId) ? `/signin?next=${encodeURIComponent(`/orgs/${orgId}/members`)}` : "/signin");
  return user.id;
}

/**
 * The org id travels as a form field, not as a bound argument: a bound server
 * action inside a client component's useActionState hangs the server when the
 * form is posted without JavaScript. The field is untrusted like any other;
 * createInvite checks that the signed-in user owns that org.
 */
export async function inviteAction(_previous: InviteFormState, form: FormData): Promise<InviteFormState> {
  const orgId = String(form.get("orgId") ?? "");
  const actorUserId = await signedInUserId(orgId);
  const result = await createInvite(getServices(), { orgId, actorUserId, email: form.get("email") });
  if (!result.ok) return { error: result.message, sentTo: null };
  return { error: null, sentTo: result.invite.email };
}

/** Resend and cancel come back to the page with a notice code it turns into a sentence. */
export async function resendInviteAction(orgId: string, inviteId: string): Promise<void> {
  const actorUserId = await signedInUserId(orgId);
  const result = await resendInvite(getServices(), { orgId, actorUserId, inviteId });
  redirect(`/orgs/${orgId}/members?notice=${result.ok ? "resent" : result.reason}`);
}

export async function cancelInviteAction(orgId: string, inviteId: string): Promise<void> {
  const actorUserId = await signedInUserId(orgId);
  const result = await cancelInvite(getServices(), { orgId, actorUserId, inviteId });
  redirect(`/orgs/${orgId}/members?notice=${result.ok ? "cancelled" : result.reason}`);
}
