import { afterAll, beforeAll, beforeEach, describe, expect, test, vi } from "vitest";
import { createInvite, resendInvite } from "@/lib/flows/invites";
import { INVITES_PER_INVITER, INVITES_PER_ORG, INVITES_PER_RECIPIENT, MAX_INVITE_RESENDS } from "@/lib/invites/limits";
import { inviteEmail } from "@/lib/email/templates/invite";
import { createOrg } from "@/lib/orgs/store";
import type { User } from "@/lib/users/store";
import { startTestApp, type TestApp } from "../../../harness/app";
import { startTestStack, type TestStack } from "../../../harness/stack";
import { createVerifiedUser } from "../../helpers/verified-user";
import { expectNoSideEffects } from "./support";

// Invite spam with the app's sender (attack 6): per-inviter, per-org and
// per-recipient limits, capped resends, and subjects that can't carry a lure.

let stack: TestStack;
let app: TestApp;
let counter = 0;

beforeAll(async () => {
  // @upstash/ratelimit reads Date.now(): keep every invite in one window.
  vi.useFakeTimers({ toFake: ["Date"], now: Date.now() });
  stack = await startTestStack();
  app = await startTestApp(stack, { services: { clock: { now: () => Date.now() } } });
});
afterAll(async () => {
  await app?.close();
  await stack?.close();
  vi.useRealTimers();
});
beforeEach(async () => {
  await app.services.redis.eval(
    "for _, k in ipairs(redis.call('KEYS', 'ratelimit:invite*')) do redis.call('DEL', k) end return 1",
    [],
    [],
  );
});

async function ownerWithOrg(name = "Nomad Labs"): Promise<{ owner: User; orgId: string }> {
  const email = `owner${++counter}@example.com`;
  const owner = await createVerifiedUser(app.services.redis, { email, name: `Owner ${counter}` }, Date.now());
  const org = await createOrg(app.services.redis, { name, ownerId: owner.id }, Date.now());
  return { owner, orgId: org.id };
}

const invite = (owner: User, orgId: string, email: string) => createInvite(app.services, { orgId, actorUserId: owner.id, email });

describe("invite limits", () => {
  test(`one inviter gets ${INVITES_PER_INVITER} invites a day across their orgs; the next is refused and sends nothing`, async () => {
    const { owner, orgId } = await ownerWithOrg();
    const orgs = [orgId, (await createOrg(app.services.redis, { name: "Second", ownerId: owner.id }, Date.now())).id];
    for (let i = 0; i < INVITES_PER_INVITER; i++) {
      expect((await invite(owner, orgs[i % 2]!, `inviter-limit-${i}@example.com`)).ok).toBe(true);
    }
    const third = (await createOrg(app.services.redis, { name: "Third", ownerId: owner.id }, Date.now())).id;
    const refused = await expectNoSideEffects(stack, app.services.redis, () => invite(owner, third, "one-too-many@example.com"), {
      except: /^ratelimit:/,
    });
    expect(refused).toMatchObject({ ok: false, reason: "rate_limited", message: expect.stringContaining("You've sent") });
  });

  test(`one recipient gets at most ${INVITES_PER_RECIPIENT} invite emails a day, however many orgs invite them`, async () => {
    for (let i = 0; i < INVITES_PER_RECIPIENT; i++) {
      const { owner, orgId } = await ownerWithOrg();
      expect((await invite(owner, orgId, "target@example.com")).ok).toBe(true);
    }
    const { owner, orgId } = await ownerWithOrg();
    const refused = await expectNoSideEffects(stack, app.services.redis, () => invite(owner, orgId, "TARGET@example.com"), {
      except: /^ratelimit:/,
    });
    expect(refused).toMatchObject({ ok: false, reason: "rate_limited", message: expect.stringContaining("That address") });
    // Invite emails share the Resend pace (2 a second by default), behind the earlier tests' ones: let them all go out.
    await stack.qstash.advance(60_000);
    await stack.qstash.idle();
    expect(stack.resend.emails().filter((email) => email.to.includes("target@example.com"))).toHaveLength(INVITES_PER_RECIPIENT);
  });

  test(`one org sends at most ${INVITES_PER_ORG} a day; the next is refused and sends nothing`, async () => {
    const { owner, orgId } = await ownerWithOrg();
    for (let i = 0; i < INVITES_PER_ORG; i++) expect((await invite(owner, orgId, `org-${i}@example.com`)).ok).toBe(true);
    const refused = await expectNoSideEffects(stack, app.services.redis, () => invite(owner, orgId, "org-over@example.com"), {
      except: /^ratelimit:/,
    });
    expect(refused).toMatchObject({ ok: false, reason: "rate_limited", message: expect.stringContaining("This organisation") });
  });

  test(`an invite can be resent ${MAX_INVITE_RESENDS} times; the next resend is refused with no new link or email`, async () => {
    const { owner, orgId } = await ownerWithOrg();
    const created = await invite(owner, orgId, "resend-me@example.com");
    if (!created.ok) throw new Error(created.message);
    // Each link goes out (at the Resend pace) before the next resend replaces it; a replaced link is never sent.
    await stack.qstash.advance(60_000);
    // The recipient limit would stop the resends first; clear it to reach the resend cap itself.
    for (let i = 0; i < MAX_INVITE_RESENDS; i++) {
      await app.services.redis.eval(
        "for _, k in ipairs(redis.call('KEYS', 'ratelimit:invite:recipient*')) do redis.call('DEL', k) end return 1",
        [],
        [],
      );
      expect((await resendInvite(app.services, { orgId, actorUserId: owner.id, inviteId: created.invite.id })).ok).toBe(true);
      await stack.qstash.advance(60_000);
    }
    await app.services.redis.eval(
      "for _, k in ipairs(redis.call('KEYS', 'ratelimit:invite*')) do redis.call('DEL', k) end return 1",
      [],
      [],
    );
    const refused = await expectNoSideEffects(stack, app.services.redis, () =>
      resendInvite(app.services, { orgId, actorUserId: owner.id, inviteId: created.invite.id }),
    );
    expect(refused).toMatchObject({ ok: false, reason: "resend_limit" });
    // Even racing past the first check, the resend script itself refuses a fourth new link.
    await stack.qstash.advance(60_000); // the paced invite emails
    await stack.qstash.idle();
    expect(stack.resend.emails().filter((email) => email.to.includes("resend-me@example.com"))).toHaveLength(
      1 + MAX_INVITE_RESENDS,
    );
  });

  test("a stranger can't invite to someone else's org: refused with no side effects", async () => {
    const { orgId } = await ownerWithOrg();
    const { owner: stranger } = await ownerWithOrg();
    const result = await expectNoSideEffects(stack, app.services.redis, () => invite(stranger, orgId, "friend@example.com"));
    expect(result).toMatchObject({ ok: false, reason: "forbidden" });
  });

  test("a stranger can't resend someone else's invite", async () => {
    const { owner, orgId } = await ownerWithOrg();
    const created = await invite(owner, orgId, "someone@example.com");
    if (!created.ok) throw new Error(created.message);
    const { owner: stranger } = await ownerWithOrg();
    const result = await expectNoSideEffects(stack, app.services.redis, () =>
      resendInvite(app.services, { orgId, actorUserId: stranger.id, inviteId: created.invite.id }),
    );
    expect(result).toMatchObject({ ok: false, reason: "forbidden" });
  });
});

describe("invite subjects", () => {
  const base = { email: "x@example.com", acceptUrl: "https://app.example/invite/t", expiresAt: Date.UTC(2026, 0, 1) };

  test("a lure as org name is quoted, defanged and cut short", async () => {
    const { subject } = await inviteEmail({
      ...base,
      inviterName: "Mallory",
      orgName: "Account locked - verify now at https://evil.example",
    });
    expect(subject).not.toContain("https://");
    expect(subject).not.toContain("evil.example");
    expect(subject).toMatch(/^Mallory invited you to join “.*”$/);
    expect([...subject].length).toBeLessThanOrEqual(100);
  });

  test("newlines, direction overrides and zero-width characters don't survive", async () => {
    const { subject } = await inviteEmail({ ...base, inviterName: "Ann\r\nBcc: x@y.z", orgName: "Safe\u202Egnp.exe\u200B Org" });
    expect(subject).not.toMatch(/[\r\n\u202E\u200B]/);
    expect(subject).toContain("Ann Bcc: x[@]y[.]z");
  });

  test("long names are cut with an ellipsis", async () => {
    const { subject } = await inviteEmail({ ...base, inviterName: "N".repeat(300), orgName: "O".repeat(300) });
    expect(subject).toBe(`${"N".repeat(39)}… invited you to join “${"O".repeat(49)}…”`);
  });
});
