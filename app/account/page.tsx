import { redirect } from "next/navigation";
import { listUserOrgs } from "@/lib/orgs/store";
import { getServices } from "@/lib/services";
import { currentUser } from "../signin/session-cookie";
import { signOutAction } from "./actions";

export const metadata = { title: "Your account · Acme" };

const NOTICES: Record<string, { text: string; ok: boolean }> = {
  "verification-sent": { text: "A new confirmation link is on its way; earlier links no longer work.", ok: true },
  "verification-limited": {
    text: "We've sent several links today already. Check your inbox and spam folder, or try again tomorrow.",
    ok: false,
  },
  "verification-unavailable": { text: "We couldn't send the link right now. Please try again.", ok: false },
  verified: { text: "Your email address is confirmed.", ok: true },
};

export default async function AccountPage({ searchParams }: { searchParams: Promise<{ joined?: string; notice?: string }> }) {
  const user = await currentUser();
  if (!user) redirect("/signin?next=/account");
  const { joined, notice } = await searchParams;
  const shown = notice ? NOTICES[notice] : undefined;
  const orgs = await listUserOrgs(getServices().redis, user.id);
  const joinedOrg = orgs.find((org) => org.id === joined);
  return (
    <section>
      <h1>Your account</h1>
      {shown ? (
        <p className={shown.ok ? "ok" : "error"} role="status">
          {shown.text}
        </p>
      ) : null}
      {joinedOrg ? (
        <p className="ok" role="status">
          You joined {joinedOrg.name}.
        </p>
      ) : null}
      <div className="card">
        <p>
          <strong>{user.name}</strong>
          <br />
          {user.email}
        </p>
        <p className="muted">
          Emails in {user.locale === "mn" ? "Mongolian" : "English"}, times in {user.timeZone}.
        </p>
        <form action={signOutAction}>
          <button type="submit" className="secondary">
            Sign out
          </button>
        </form>
      </div>
      <h2>Organisations</h2>
      {orgs.length === 0 ? <p className="muted">You're not in any organisation yet.</p> : null}
      <ul>
        {orgs.map((org) => (
          <li key={org.id}>
            {org.ownerId === user.id ? <a href={`/orgs/${org.id}/members`}>{org.name}</a> : org.name}
            {org.ownerId === user.id ? <span className="muted"> · owner</span> : <span className="muted"> · member</span>}
          </li>
        ))}
      </ul>
      <p>
        <a href="/orgs">Create an organisation</a>
      </p>
    </section>
  );
}
