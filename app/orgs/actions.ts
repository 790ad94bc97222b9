"use server";

import { redirect } from "next/navigation";
import { createOrganisation } from "@/lib/orgs/create-org";
import { getServices } from "@/lib/services";
import { currentUser } from "../signin/session-cookie";

export interface CreateOrgFormState {
  error: string | null;
  name: string;
}

export async function createOrgAction(_previous: CreateOrgFormState, form: FormData): Promise<CreateOrgFormState> {
  const user = await currentUser();
  if (!user) redirect("/signin?next=/orgs");
  const name = String(form.get("name") ?? "");
  const result = await createOrganisation(getServices(), user.id, { name });
  if (!result.ok) return { error: result.fieldErrors.name ?? "Invalid name", name };
  redirect(`/orgs/${result.org.id}/members`);
}
