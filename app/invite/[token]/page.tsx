import type { Metadata } from "next";
import type { ReactNode } from "react";
import { lookupInvite } from "@/lib/invites/accept";
import { getServices } from "@/lib/services";
import { isVerified } from "@/lib/users/email-verification";
import { currentUser } from "../../signin/session-cookie";
import { acceptInviteAction } from "./actions";

// The token is in the URL: keep it out of other sites' Referer headers and out of search engines.
export const metadata: Metadata = {
  title: "Invitation · Acme",
  // same-origin, not no-referrer: under no-referrer the browser sends `Origin: null` with the form post,
  // and Next refuses a server action whose Origin is not the app (its CSRF check). Other sites still get no Referer.
  referrer: "same-origin",
  robots: { index: false, follow: false },
};

const RESULTS: Record<string, string> = {
  wrong_email: "This invite was sent to a different email address than the one you're signed in with.",
  unverified: "Confirm your email address first: open the link we emailed you, then accept the invite.",
  already_member: "You've already joined with this invite.",
  already_accepted: "Someone already used this invite.",
  expired: "This invite expired before it was accepted.",
  cancelled: "This invite was cancelled.",
  superseded: "This link was replaced by a newer invite.",
  unknown: "This invite link isn't valid.",
  no_user: "Your account couldn't be found. Please sign in again.",
};

function Panel({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="card" data-testid="invite">
      <h1>{title}</h1>
      {children}
    </section>
  );
}

export default async function InvitePage({
  params,
  searchParams,
}: {
  params: Promise<{ token: string }>;
  searchParams: Promise<{ result?: string }>;
}) {
  const { token } = await params;
  const { result } = await searchParams;
  const [view, user] = await Promise.all([lookupInvite(getServices(), token), currentUser()]);
  const resultText = result ? RESULTS[result] : undefined;
  const banner = resultText ? (
    <p className="error" role="alert">
      {resultText}
    </p>
  ) : null;

  switch (view.state) {
    case "unknown":
      return (
        <Panel title="Invite not found">
          <p>This invite link isn't valid. Check that you copied the whole link from the email, or ask for a new invite.</p>
        </Panel>
      );
    case "superseded":
      return (
        <Panel title="This link was replaced">
          <p>
            A newer invite{view.org ? ` to ${view.org.name}` : ""} was sent after this one, so this link no longer works. Use the
            link in the most recent email.
          </p>
        </Panel>
      );
    case "expired":
      return (
        <Panel title="This invite has expired">
          {banner}
          <p>
            The invite to {view.org.name} expired. Ask {view.inviterName} to send you a new one.
          </p>
        </Panel>
      );
    case "cancelled":
      return (
        <Panel title="This invite was cancelled">
          {banner}
          <p>
            {view.inviterName} cancelled the invite to {view.org.name}.
          </p>
        </Panel>
      );
    case "accepted":
      return (
        <Panel title="This invite has already been used">
          {banner}
          {user && view.invite.acceptedBy === user.id ? (
            <p>
              You joined {view.org.name}. <a href="/account">Go to your account</a>.
            </p>
          ) : (
            <p>Each invite link works once. If you need access to {view.org.name}, ask for a new invite.</p>
          )}
        </Panel>
      );
    case "pending": {
      const next = `/invite/${token}`;
      const matches = user !== null && user.email === view.invite.email;
      return (
        <Panel title={`Join ${view.org.name}`}>
          {banner}
          <p>
            {view.inviterName} invited <strong>{view.invite.email}</strong> to join <strong>{view.org.name}</strong>.
          </p>
          {!user ? (
            <p>
              <a href={`/signin?next=${encodeURIComponent(next)}&email=${encodeURIComponent(view.invite.email)}`}>
                Sign in as {view.invite.email}
              </a>{" "}
              to accept. No account yet?{" "}
              <a href={`/signup?next=${encodeURIComponent(next)}&email=${encodeURIComponent(view.invite.email)}`}>Sign up</a> with{" "}
              {view.invite.email}, confirm the address from the email we send, and sign in: you'll come straight back here.
            </p>
          ) : matches && !isVerified(user) ? (
            <p>Confirm your email address first (use the link we emailed you, or send a new one above), then accept here.</p>
          ) : matches ? (
            <form action={acceptInviteAction.bind(null, token)}>
              <button type="submit">Accept and join {view.org.name}</button>
            </form>
          ) : (
            <p>
              You're signed in as {user.email}, but this invite is for {view.invite.email}.{" "}
              <a href={`/signin?next=${encodeURIComponent(next)}&email=${encodeURIComponent(view.invite.email)}`}>
                Sign in as {view.invite.email}
              </a>{" "}
              to accept it.
            </p>
          )}
        </Panel>
      );
    }
  }
}
