import { redirect } from "next/navigation";
import { listUserOrgs } from "@/lib/orgs/store";
import { getServices } from "@/lib/services";
import { currentUser } from "../signin/session-cookie";
import { CreateOrgForm } from "./create-org-form";

export const metadata = { title: "Organisations · Acme" };

export default async function OrgsPage() {
  const user = await currentUser();
  if (!user) redirect("/signin?next=/orgs");
  const orgs = await listUserOrgs(getServices().redis, user.id);
  return (
    <section>
      <h1>Organisations</h1>
      {orgs.length === 0 ? <p className="muted">You're not in any organisation yet.</p> : null}
      <ul>
        {orgs.map((org) => (
          <li key={org.id}>{org.ownerId === user.id ? <a href={`/orgs/${org.id}/members`}>{org.name}</a> : org.name}</li>
        ))}
      </ul>
      <h2>Create an organisation</h2>
      <CreateOrgForm />
    </section>
  );
}
