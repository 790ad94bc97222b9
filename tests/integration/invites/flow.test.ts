import { beforeAll, beforeEach, describe, expect, test } from "vitest";
import { fixedClock, getRun, OUTBOX_SWEEP_GRACE_MS } from "@/lib/job-runtime";
import { durableQueue } from "@/lib/jobs/outbox";
import { sendInviteEmail } from "@/lib/jobs/send-invite-email";
import { acceptInvite, lookupInvite } from "@/lib/invites/accept";
import { createInvite, resendInvite } from "@/lib/flows/invites";
import { generateInviteToken, hashInviteToken } from "@/lib/invites/token";
import { getInvite, insertInvite, INVITE_TTL_MS } from "@/lib/invites/store";
import { createOrg, isMember } from "@/lib/orgs/store";
import type { User } from "@/lib/users/store";
import { setupStackAndApp } from "../../helpers/stack-and-app";
import { createVerifiedUser } from "../../helpers/verified-user";

// The whole invite flow through the local stack: the owner's invite (the lib call the
// form action makes) → QStash → signed job route → Resend look-alike → link → accept.

// The app's own clock, so a test can jump a week without moving the stack's signing clock.
const clock = fixedClock(Date.now());
let owner: User;
let orgId: string;

async function user(email: string, name: string): Promise<User> {
  return createVerifiedUser(running.app.services.redis, { email, name }, clock.now());
}

function emailsTo(address: string) {
  return running.stack.resend.emails().filter((email) => email.to.includes(address));
}

function linkIn(text: string | null): { url: string; token: string } {
  const match = /(http:\/\/127\.0\.0\.1:\d+\/invite\/([A-Za-z0-9_-]{43}))/.exec(text ?? "");
  if (!match) throw new Error(`no invite link in:\n${text}`);
  return { url: match[1]!, token: match[2]! };
}

const running = setupStackAndApp({ app: { services: { clock } } });
// Each test invites the same address; the per-recipient daily invite limit is tested in tests/integration/security.
beforeEach(async () => {
  await running.app.services.redis.eval(
    "for _, k in ipairs(redis.call('KEYS', 'ratelimit:invite*')) do redis.call('DEL', k) end return 1",
    [],
    [],
  );
});
beforeAll(async () => {
  owner = await user("owner@example.com", "Ada Owner");
  orgId = (await createOrg(running.app.services.redis, { name: "Nomad Labs", ownerId: owner.id }, clock.now())).id;
});

describe("invite → email → accept", () => {
  test("the invite email arrives with a working single-use link", async () => {
    const bat = await user("bat@example.com", "Bat");
    const created = await createInvite(running.app.services, { orgId, actorUserId: owner.id, email: "bat@example.com" });
    if (!created.ok) throw new Error(created.message);
    await running.stack.qstash.idle();

    const [email, ...more] = emailsTo("bat@example.com");
    expect(more).toHaveLength(0);
    expect(email!.subject).toBe("Ada Owner invited you to join “Nomad Labs”");
    expect(email!.idempotencyKey).toBe(`send-invite-email/${created.invite.id}/1`);
    const link = linkIn(email!.text);
    expect(link.url).toBe(`${running.app.url}/invite/${link.token}`);
    expect(email!.html).toContain(`href="${link.url}"`);
    expect(await getRun(running.app.services.redis, created.messageId!)).toMatchObject({
      job: "send-invite-email",
      status: "succeeded",
      result: { emailId: email!.id },
    });

    expect(await lookupInvite(running.app.services, link.token)).toMatchObject({ state: "pending", inviterName: "Ada Owner" });
    expect(await acceptInvite(running.app.services, { token: link.token, userId: bat.id })).toEqual({ ok: true, orgId });
    expect(await isMember(running.app.services.redis, orgId, bat.id)).toBe(true);
    expect(await lookupInvite(running.app.services, link.token)).toMatchObject({ state: "accepted" });
  });

  test("20 parallel accepts of one emailed link: exactly one joins", async () => {
    const cho = await user("cho@example.com", "Cho");
    const created = await createInvite(running.app.services, { orgId, actorUserId: owner.id, email: "cho@example.com" });
    if (!created.ok) throw new Error(created.message);
    await running.stack.qstash.idle();
    const { token } = linkIn(emailsTo("cho@example.com")[0]!.text);

    const results = await Promise.all(
      Array.from({ length: 20 }, () => acceptInvite(running.app.services, { token, userId: cho.id })),
    );
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(new Set(results.filter((result) => !result.ok).map((result) => !result.ok && result.reason))).toEqual(
      new Set(["already_member"]),
    );
  });

  test("a resend emails a new link under a new key; the first link is dead", async () => {
    const dan = await user("dan@example.com", "Dan");
    const created = await createInvite(running.app.services, { orgId, actorUserId: owner.id, email: "dan@example.com" });
    if (!created.ok) throw new Error(created.message);
    // Invite emails share the Resend pace: the first link must go out before the resend replaces it.
    await running.stack.qstash.advance(10_000);
    const resent = await resendInvite(running.app.services, { orgId, actorUserId: owner.id, inviteId: created.invite.id });
    expect(resent).toMatchObject({ ok: true, generation: 2 });
    // Invite emails share the Resend pace: move the stack past the pacing window.
    await running.stack.qstash.advance(10_000);

    const [first, second] = emailsTo("dan@example.com");
    expect(second!.idempotencyKey).toBe(`send-invite-email/${created.invite.id}/2`);
    const oldLink = linkIn(first!.text);
    const newLink = linkIn(second!.text);
    expect(newLink.token).not.toBe(oldLink.token);
    expect(await acceptInvite(running.app.services, { token: oldLink.token, userId: dan.id })).toEqual({
      ok: false,
      reason: "superseded",
    });
    expect(await acceptInvite(running.app.services, { token: newLink.token, userId: dan.id })).toEqual({ ok: true, orgId });
  });

  test("a link used after seven days is refused and nobody joins", async () => {
    const eve = await user("eve@example.com", "Eve");
    const created = await createInvite(running.app.services, { orgId, actorUserId: owner.id, email: "eve@example.com" });
    if (!created.ok) throw new Error(created.message);
    await running.stack.qstash.advance(10_000); // the paced invite email
    const { token } = linkIn(emailsTo("eve@example.com")[0]!.text);

    clock.advance(INVITE_TTL_MS);
    expect(await lookupInvite(running.app.services, token)).toMatchObject({ state: "expired" });
    expect(await acceptInvite(running.app.services, { token, userId: eve.id })).toEqual({ ok: false, reason: "expired", orgId });
    expect(await isMember(running.app.services.redis, orgId, eve.id)).toBe(false);
  });
});

describe("QStash unreachable, or the process dies before publishing", () => {
  const queued = () => durableQueue(running.app.services).depth();
  const messagesFor = async (inviteId: string) =>
    (await running.app.qstash.logs({ filter: { label: "send-invite-email" } })).logs.filter(
      (log) =>
        log.state === "CREATED" &&
        Buffer.from(log.body ?? "", "base64")
          .toString()
          .includes(inviteId),
    );

  test("an invite and a resend made during a publish outage each email their link exactly once after it", async () => {
    const fay = await user("fay@example.com", "Fay");
    running.stack.qstash.faults.set({ publishOutage: { mode: "refuse" } });
    const created = await createInvite(running.app.services, { orgId, actorUserId: owner.id, email: "fay@example.com" });
    if (!created.ok) throw new Error(created.message);
    expect(created.messageId).toBeNull();
    const resent = await resendInvite(running.app.services, { orgId, actorUserId: owner.id, inviteId: created.invite.id });
    expect(resent).toEqual({ ok: true, generation: 2, messageId: null });
    expect(await queued()).toMatchObject({ pending: 2 });
    expect(await messagesFor(created.invite.id)).toEqual([]);

    running.stack.qstash.faults.clear();
    clock.advance(OUTBOX_SWEEP_GRACE_MS);
    expect((await durableQueue(running.app.services).sweep()).published).toHaveLength(2);
    expect((await durableQueue(running.app.services).sweep()).published).toEqual([]);
    expect(await queued()).toMatchObject({ pending: 0 });
    await running.stack.qstash.advance(10_000); // the paced invite emails
    expect(await messagesFor(created.invite.id)).toHaveLength(2);

    // Generation 1 was replaced before it went out: its job skips it, and the one email is the live link.
    const emails = emailsTo("fay@example.com");
    expect(emails.map((email) => email.idempotencyKey)).toEqual([`send-invite-email/${created.invite.id}/2`]);
    expect(await acceptInvite(running.app.services, { token: linkIn(emails[0]!.text).token, userId: fay.id })).toEqual({
      ok: true,
      orgId,
    });
  });

  test("the invite and its email entry written, then a crash before the publish: a sweep sends the email once", async () => {
    await user("gus@example.com", "Gus");
    // What createInvite writes in its one script, and nothing after it: the process is gone.
    const token = generateInviteToken();
    const nowMs = clock.now();
    const invite = {
      id: `inv_${"a".repeat(32)}`,
      orgId,
      email: "gus@example.com",
      invitedBy: owner.id,
      tokenHash: await hashInviteToken(token),
      expiresAt: nowMs + INVITE_TTL_MS,
    };
    const entry = durableQueue(running.app.services).prepare(sendInviteEmail, {
      inviteId: invite.id,
      orgId,
      generation: 1,
      email: invite.email,
      invitedBy: owner.id,
      orgName: "Nomad Labs",
      inviterName: "Ada Owner",
      acceptUrl: `${running.app.url}/invite/${token}`,
      expiresAt: invite.expiresAt,
    });
    expect(await insertInvite(running.app.services.redis, invite, nowMs, entry)).toEqual({ state: "created" });
    expect(await getInvite(running.app.services.redis, invite.id)).toMatchObject({ status: "PENDING" });

    clock.advance(OUTBOX_SWEEP_GRACE_MS);
    const swept = await Promise.all([durableQueue(running.app.services).sweep(), durableQueue(running.app.services).sweep()]);
    expect(swept.flatMap((sweep) => sweep.published).map((published) => published.entryId)).toEqual([entry.id]);
    await running.stack.qstash.advance(10_000);
    const emails = emailsTo("gus@example.com");
    expect(emails).toHaveLength(1);
    expect(linkIn(emails[0]!.text).token).toBe(token);
  });
});
