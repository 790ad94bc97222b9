import { redirect } from "next/navigation";
import { listUserOrgs } from "@/lib/orgs/store";
import { getServices } from "@/lib/services";
import { currentUser } from "../signin/session-cookie";
import { signOutAction } from "./actions";

export const metadata = { title: "Your account · Acme" };

export default async function AccountPage({ searchParams }: { searchParams: Promise<{ joined?: string }> }) {
  const user = await currentUser();
  if (!user) redirect("/signin?next=/account");
  const { joined } = await searchParams;
  const orgs = await listUserOrgs(getServices().redis, user.id);
  const joinedOrg = orgs.find((org) => org.id === joined);
  return (
    <section>
      <h1>Your account</h1>
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
