import { describe, expect, test } from "vitest";
import { createInvite } from "@/lib/flows/invites";
import { acceptInvite, lookupInvite } from "@/lib/invites/accept";
import { createOrg, listMemberIds, listUserOrgs } from "@/lib/orgs/store";
import { createVerifiedUser } from "../../helpers/verified-user";
import { engines, useEngine } from "./backends";

// 100 people (or one person's 100 tabs) pressing "Accept" on one invite link at
// once: exactly one membership, and every other call a clear answer.

const PARALLEL = 100;

describe.each(engines)("invite accept, $label", (engine) => {
  const running = useEngine(engine);
  if (!running) return;

  async function invitedLink(slug: string) {
    const { redis } = running!.app.services;
    const now = running!.stack.clock.now();
    const owner = await createVerifiedUser(redis, { email: `owner-${slug}@example.com`, name: "Owner" }, now);
    const guest = await createVerifiedUser(redis, { email: `guest-${slug}@example.com`, name: "Guest" }, now);
    const org = await createOrg(redis, { name: `Org ${slug}`, ownerId: owner.id }, now);
    const created = await createInvite(running!.app.services, { orgId: org.id, actorUserId: owner.id, email: guest.email });
    if (!created.ok) throw new Error(created.message);
    // The invite email is paced; let it out, then read the link the way the guest does.
    await running!.stack.qstash.advance(10_000);
    const [email, ...more] = running!.stack.resend.emails().filter((sent) => sent.to.includes(guest.email));
    expect(more).toHaveLength(0);
    const token = /\/invite\/([A-Za-z0-9_-]{43})/.exec(email!.text ?? "")?.[1];
    if (!token) throw new Error("no invite link in the email");
    return { token, org, owner, guest };
  }

  test(`${PARALLEL} parallel accepts by the invited person: one member, ${PARALLEL - 1} "already a member"`, async () => {
    const { token, org, owner, guest } = await invitedLink(`same-${engine.real ? "real" : "embedded"}`);
    const results = await Promise.all(
      Array.from({ length: PARALLEL }, () => acceptInvite(running.app.services, { token, userId: guest.id })),
    );
    expect(results.filter((result) => result.ok)).toEqual([{ ok: true, orgId: org.id }]);
    const refused = results.filter((result) => !result.ok);
    expect(refused).toHaveLength(PARALLEL - 1);
    expect(new Set(refused.map((result) => JSON.stringify(result)))).toEqual(
      new Set([JSON.stringify({ ok: false, reason: "already_member", orgId: org.id })]),
    );
    expect((await listMemberIds(running.app.services.redis, org.id)).sort()).toEqual([owner.id, guest.id].sort());
    expect((await listUserOrgs(running.app.services.redis, guest.id)).map((joined) => joined.id)).toEqual([org.id]);
    expect(await lookupInvite(running.app.services, token)).toMatchObject({ state: "accepted" });
  });

  test(`${PARALLEL} parallel accepts, half by a stranger holding the forwarded link: only the invited person joins`, async () => {
    const { token, org, owner, guest } = await invitedLink(`mixed-${engine.real ? "real" : "embedded"}`);
    const stranger = await createVerifiedUser(
      running.app.services.redis,
      { email: `stranger-${engine.real ? "real" : "embedded"}@example.com`, name: "Stranger" },
      running.stack.clock.now(),
    );
    const results = await Promise.all(
      Array.from({ length: PARALLEL }, (_, n) =>
        acceptInvite(running.app.services, { token, userId: n % 2 === 0 ? stranger.id : guest.id }),
      ),
    );
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    const reasons = results.flatMap((result) => (result.ok ? [] : [result.reason]));
    expect(reasons.filter((reason) => reason === "wrong_email")).toHaveLength(PARALLEL / 2);
    expect(reasons.filter((reason) => reason === "already_member")).toHaveLength(PARALLEL / 2 - 1);
    expect((await listMemberIds(running.app.services.redis, org.id)).sort()).toEqual([owner.id, guest.id].sort());
    expect(await listUserOrgs(running.app.services.redis, stranger.id)).toEqual([]);
  });
});
