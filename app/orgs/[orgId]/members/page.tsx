import { redirect } from "next/navigation";
import { loadMembersView } from "@/lib/invites/members-view";
import { getServices } from "@/lib/services";
import { currentUser } from "../../../signin/session-cookie";
import { cancelInviteAction, resendInviteAction } from "./actions";
import { InviteForm } from "./invite-form";

export const metadata = { title: "Members · Acme" };

const NOTICES: Record<string, { text: string; ok: boolean }> = {
  resent: { text: "A new link was sent; the previous one no longer works.", ok: true },
  cancelled: { text: "The invite was cancelled; its link no longer works.", ok: true },
  not_pending: { text: "That invite was already accepted or cancelled.", ok: false },
  not_found: { text: "That invite doesn't exist.", ok: false },
  conflict: { text: "That address has a newer pending invite.", ok: false },
  unavailable: { text: "We couldn't send the email right now. Please try again.", ok: false },
  rate_limited: { text: "Too many invites were sent recently. Try again tomorrow.", ok: false },
  resend_limit: { text: "That invite was already resent as often as we allow. Cancel it and invite again.", ok: false },
};

const dateTime = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });

export default async function MembersPage({
  params,
  searchParams,
}: {
  params: Promise<{ orgId: string }>;
  searchParams: Promise<{ notice?: string }>;
}) {
  const { orgId } = await params;
  const { notice } = await searchParams;
  const user = await currentUser();
  if (!user) redirect(`/signin?next=${encodeURIComponent(`/orgs/${orgId}/members`)}`);
  const view = await loadMembersView(getServices(), orgId, user.id);
  if (!view.ok) {
    return (
      <section className="card">
        <h1>Members</h1>
        <p className="error">{view.message}</p>
        <p>
          <a href="/account">Back to your account</a>
        </p>
      </section>
    );
  }
  const shown = notice ? NOTICES[notice] : undefined;
  return (
    <section>
      <h1>{view.org.name} · Members</h1>
      {shown ? (
        <p className={shown.ok ? "ok" : "error"} role="status">
          {shown.text}
        </p>
      ) : null}
      <table aria-label="Members">
        <thead>
          <tr>
            <th>Name</th>
            <th>Email</th>
            <th>Role</th>
          </tr>
        </thead>
        <tbody>
          {view.members.map((member) => (
            <tr key={member.userId}>
              <td>{member.name}</td>
              <td>{member.email}</td>
              <td>{member.isOwner ? "Owner" : "Member"}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2>Invite someone</h2>
      <InviteForm orgId={view.org.id} />

      <h2>Invites</h2>
      {view.invites.length === 0 ? <p className="muted">No invites yet.</p> : null}
      {view.invites.length > 0 ? (
        <table aria-label="Invites">
          <thead>
            <tr>
              <th>Email</th>
              <th>Status</th>
              <th>Link expires (UTC)</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {view.invites.map((invite) => (
              <tr key={invite.id} data-invite-id={invite.id}>
                <td>{invite.email}</td>
                <td>{invite.shownStatus}</td>
                <td>
                  {invite.shownStatus === "PENDING" || invite.shownStatus === "EXPIRED" ? dateTime.format(invite.expiresAt) : "—"}
                </td>
                <td>
                  {invite.canManage ? (
                    <>
                      <form action={resendInviteAction.bind(null, view.org.id, invite.id)} style={{ display: "inline" }}>
                        <button type="submit" className="secondary">
                          Resend
                        </button>
                      </form>{" "}
                      <form action={cancelInviteAction.bind(null, view.org.id, invite.id)} style={{ display: "inline" }}>
                        <button type="submit" className="danger">
                          Cancel
                        </button>
                      </form>
                    </>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
