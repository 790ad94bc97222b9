import * as z from "zod/mini";
import type { Services } from "../deps";
import { createOrg, ORG_NAME_MAX, type Org } from "./store";

const createOrgSchema = z.object({
  name: z
    .string()
    .check(z.trim(), z.minLength(1, "Enter a name"), z.maxLength(ORG_NAME_MAX, `Use at most ${ORG_NAME_MAX} characters`)),
});

export type CreateOrgResult = { ok: true; org: Org } | { ok: false; fieldErrors: { name?: string } };

/** Creates an organisation owned by the signed-in user. */
export async function createOrganisation(services: Services, ownerId: string, input: unknown): Promise<CreateOrgResult> {
  const parsed = createOrgSchema.safeParse(input);
  if (!parsed.success) return { ok: false, fieldErrors: { name: parsed.error.issues[0]?.message ?? "Invalid name" } };
  const org = await createOrg(services.redis, { name: parsed.data.name, ownerId }, services.clock.now());
  return { ok: true, org };
}
