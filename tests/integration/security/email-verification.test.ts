import { describe, expect, test } from "vitest";
import { acceptInvite } from "@/lib/invites/accept";
import { createInvite } from "@/lib/flows/invites";
import { createOrg, isMember } from "@/lib/orgs/store";
import { issueVerificationToken, verifyEmailToken, verifyTokenKey, VERIFY_TOKEN_TTL_MS } from "@/lib/users/email-verification";
import { sha256Hex } from "@/lib/crypto";
import { createUser, getUser, type User } from "@/lib/users/store";
import { setupStackAndApp } from "../../helpers/stack-and-app";
import { createVerifiedUser } from "../../helpers/verified-user";
import { expectNoSideEffects } from "./support";

// Unverified addresses (attack 7): whoever holds a forwarded invite link could
// sign up with the invitee's address and join. Invites now need a verified
// address on both ends, and verification links follow the invite token rules.

const running = setupStackAndApp();
let counter = 0;

async function unverified(email: string): Promise<User> {
  const created = await createUser(
    running.app.services.redis,
    { email, name: "Someone", password: "correct horse", locale: "en", timeZone: "UTC" },
    Date.now(),
  );
  if (!created.ok) throw new Error("exists");
  return created.user;
}

async function tokenOfLink(userId: string): Promise<string> {
  const user = await getUser(running.app.services.redis, userId);
  const issued = await issueVerificationToken(running.app.services.redis, user!, Date.now());
  if (issued.state !== "issued") throw new Error(issued.state);
  return issued.token;
}

describe("invites need verified addresses", () => {
  test("a forwarded invite link: the holder signs up with the invitee's address but can't join", async () => {
    const owner = await createVerifiedUser(
      running.app.services.redis,
      { email: `owner${++counter}@example.com`, name: "Owner" },
      Date.now(),
    );
    const org = await createOrg(running.app.services.redis, { name: "Private Org", ownerId: owner.id }, Date.now());
    const created = await createInvite(running.app.services, {
      orgId: org.id,
      actorUserId: owner.id,
      email: "invitee@example.com",
    });
    if (!created.ok) throw new Error(created.message);
    // The raw token is only in the email, as it would be in a forwarded one.
    await running.stack.qstash.idle();
    const link = running.stack.resend.emails().find((email) => email.to.includes("invitee@example.com"))!;
    const raw = /\/invite\/([A-Za-z0-9_-]{43})/.exec(link.text ?? "")![1]!;

    const impostor = await unverified("invitee@example.com");
    const result = await expectNoSideEffects(running.stack, running.app.services.redis, () =>
      acceptInvite(running.app.services, { token: raw, userId: impostor.id }),
    );
    expect(result).toMatchObject({ ok: false, reason: "unverified" });
    expect(await isMember(running.app.services.redis, org.id, impostor.id)).toBe(false);
  });

  test("an unverified account can't send invites under our sender", async () => {
    const owner = await unverified(`unverified-owner${++counter}@example.com`);
    const org = await createOrg(running.app.services.redis, { name: "Spam Org", ownerId: owner.id }, Date.now());
    const result = await expectNoSideEffects(running.stack, running.app.services.redis, () =>
      createInvite(running.app.services, { orgId: org.id, actorUserId: owner.id, email: "victim@example.com" }),
    );
    expect(result).toMatchObject({ ok: false, reason: "unverified" });
  });
});

describe("verification links", () => {
  test("work once; a second use changes nothing", async () => {
    const user = await unverified(`once${++counter}@example.com`);
    const token = await tokenOfLink(user.id);
    expect(await verifyEmailToken(running.app.services.redis, token, Date.now())).toEqual({ ok: true, userId: user.id });
    expect((await getUser(running.app.services.redis, user.id))?.emailVerifiedAt).toEqual(expect.any(Number));
    const again = await expectNoSideEffects(running.stack, running.app.services.redis, () =>
      verifyEmailToken(running.app.services.redis, token, Date.now()),
    );
    expect(again).toMatchObject({ ok: false, reason: "unknown" });
  });

  test("20 parallel uses of one link: exactly one verifies", async () => {
    const user = await unverified(`parallel${++counter}@example.com`);
    const token = await tokenOfLink(user.id);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => verifyEmailToken(running.app.services.redis, token, Date.now())),
    );
    expect(results.filter((result) => result.ok)).toHaveLength(1);
  });

  test("a resend makes the earlier link stale", async () => {
    const user = await unverified(`resent${++counter}@example.com`);
    const first = await tokenOfLink(user.id);
    const second = await tokenOfLink(user.id);
    const stale = await expectNoSideEffects(running.stack, running.app.services.redis, () =>
      verifyEmailToken(running.app.services.redis, first, Date.now()),
    );
    expect(stale).toMatchObject({ ok: false, reason: "superseded" });
    expect(await verifyEmailToken(running.app.services.redis, second, Date.now())).toMatchObject({ ok: true });
  });

  test("only the hash is stored, and it expires after a day", async () => {
    const user = await unverified(`hashed${++counter}@example.com`);
    const token = await tokenOfLink(user.id);
    expect(JSON.stringify(await running.app.services.redis.hgetall(`user:${user.id}`))).not.toContain(token);
    const ttl = await running.app.services.redis.pttl(verifyTokenKey(await sha256Hex(token)));
    expect(ttl).toBeGreaterThan(VERIFY_TOKEN_TTL_MS - 60_000);
    expect(ttl).toBeLessThanOrEqual(VERIFY_TOKEN_TTL_MS);
  });

  test.each(["", "short", "x".repeat(43).replace(/x/g, "!"), "../../etc/passwd", "A".repeat(500)])(
    "a malformed token %j is refused without touching Redis",
    async (token) => {
      const result = await expectNoSideEffects(running.stack, running.app.services.redis, () =>
        verifyEmailToken(running.app.services.redis, token, Date.now()),
      );
      expect(result).toMatchObject({ ok: false, reason: "unknown" });
    },
  );

  test("a guessed well-formed token is unknown and verifies nobody", async () => {
    const result = await expectNoSideEffects(running.stack, running.app.services.redis, () =>
      verifyEmailToken(running.app.services.redis, "A".repeat(43), Date.now()),
    );
    expect(result).toMatchObject({ ok: false, reason: "unknown" });
  });
});
