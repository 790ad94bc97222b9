import { Redis } from "@upstash/redis";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { fixedClock } from "@/lib/job-runtime";
import { durableQueue } from "@/lib/jobs/outbox";
import { acceptInvite, lookupInvite } from "@/lib/invites/accept";
import { cancelInvite, createInvite, resendInvite } from "@/lib/flows/invites";
import { loadMembersView } from "@/lib/invites/members-view";
import { getInvite, INVITE_TTL_MS, rotateInviteToken } from "@/lib/invites/store";
import { sendInviteEmail, type SendInviteEmailPayload } from "@/lib/jobs/send-invite-email";
import { createOrg, isMember, listUserOrgs } from "@/lib/orgs/store";
import { createServices, type Services } from "@/lib/services";
import type { User } from "@/lib/users/store";
import { createVerifiedUser } from "../../helpers/verified-user";
import { startRedisRestServer, type RedisRestServer } from "@/local/redis/server";
import { testEnv } from "../../helpers/env";
import { startTestQStash, type TestQStash } from "../../helpers/local-qstash";
import type { LogEvent } from "@/local/qstash/server";

// Invite state machine against the Upstash REST emulator: real Lua, real atomicity.
// Emails are published to the local QStash, whose deliveries land on a receiver that
// only answers 200; tests/integration/invites/flow.test.ts runs the jobs through Resend.

const START = Date.UTC(2025, 0, 15, 12, 0);
let server: RedisRestServer;
let services: Services;
let clock: ReturnType<typeof fixedClock>;
let published: Array<{ job: string; payload: SendInviteEmailPayload }>;
let owner: User;
let bat: User;
let orgId: string;

let local: TestQStash | undefined;
const qstash = () => local!;
beforeEach(async () => {
  local = await startTestQStash();
});
afterEach(async () => {
  await local?.server.close();
  await local?.receiver.close();
  expect(local?.receiver.verificationErrors).toEqual([]);
});

/** What QStash accepted, in order: the job (last path segment) and its payload. */
function recordPublished(event: LogEvent) {
  if (event.state !== "CREATED") return;
  const payload = JSON.parse(Buffer.from(event.body ?? "", "base64").toString("utf8")) as SendInviteEmailPayload;
  published.push({ job: event.url.split("/").pop()!, payload });
}

const tokenOf = (payload: SendInviteEmailPayload) => new URL(payload.acceptUrl).pathname.split("/").pop()!;

beforeAll(async () => {
  server = await startRedisRestServer({ port: 0 });
});
afterAll(async () => {
  await server?.close();
});
beforeEach(async () => {
  await server.flush();
  clock = fixedClock(START);
  published = [];
  qstash().server.events.on("event", recordPublished);
  services = createServices(
    testEnv({
      UPSTASH_REDIS_REST_URL: server.url,
      UPSTASH_REDIS_REST_TOKEN: server.token,
      QSTASH_URL: qstash().server.url,
      APP_URL: qstash().receiver.url,
    }),
    { clock, qstash: qstash().client },
  );
  const make = async (email: string, name: string) => {
    return createVerifiedUser(services.redis, { email, name }, START);
  };
  [owner, bat] = await Promise.all([make("owner@example.com", "Ada Owner"), make("bat@example.com", "Bat")]);
  orgId = (await createOrg(services.redis, { name: "Nomad Labs", ownerId: owner.id }, START)).id;
});

async function invite(email = "Bat@Example.com") {
  const result = await createInvite(services, { orgId, actorUserId: owner.id, email });
  if (!result.ok) throw new Error(result.message);
  return { result, payload: published.at(-1)!.payload, token: tokenOf(published.at(-1)!.payload) };
}

describe("creating an invite", () => {
  test("stores only the token's hash and queues the link with everything the email shows", async () => {
    const { result, payload, token } = await invite();
    expect(result.invite.email).toBe("bat@example.com");
    expect(published).toHaveLength(1);
    expect(published[0]!.job).toBe("send-invite-email");
    expect(payload).toEqual({
      inviteId: result.invite.id,
      orgId,
      generation: 1,
      email: "bat@example.com",
      invitedBy: owner.id,
      orgName: "Nomad Labs",
      inviterName: "Ada Owner",
      acceptUrl: `${qstash().receiver.url}/invite/${token}`,
      expiresAt: START + INVITE_TTL_MS,
    });
    // The raw token appears nowhere in Redis.
    const raw = new Redis({ url: server.url, token: server.token, automaticDeserialization: false });
    const keys = await raw.keys("*");
    expect(keys.join(" ")).not.toContain(token);
    for (const key of keys) {
      const type = await raw.type(key);
      const value = type === "hash" ? await raw.hgetall(key) : type === "string" ? await raw.get(key) : null;
      expect(JSON.stringify(value)).not.toContain(token);
    }
    const stored = await getInvite(services.redis, result.invite.id);
    expect(stored).toMatchObject({ status: "PENDING", generation: 1, expiresAt: START + INVITE_TTL_MS });
    expect(stored!.tokenHash).toMatch(/^[a-f0-9]{64}$/);
  });

  test("only the owner may invite", async () => {
    const result = await createInvite(services, { orgId, actorUserId: bat.id, email: "x@example.com" });
    expect(result).toMatchObject({ ok: false, reason: "forbidden" });
    expect(published).toHaveLength(0);
  });

  test("a second invite to a pending address is refused; after expiry a new one is allowed", async () => {
    await invite();
    expect(await createInvite(services, { orgId, actorUserId: owner.id, email: "bat@example.com" })).toMatchObject({
      ok: false,
      reason: "already_invited",
    });
    clock.advance(INVITE_TTL_MS);
    expect((await createInvite(services, { orgId, actorUserId: owner.id, email: "bat@example.com" })).ok).toBe(true);
  });

  test("members can't be invited again, and bad addresses are refused", async () => {
    expect(await createInvite(services, { orgId, actorUserId: owner.id, email: "owner@example.com" })).toMatchObject({
      ok: false,
      reason: "already_member",
    });
    expect(await createInvite(services, { orgId, actorUserId: owner.id, email: "not an email" })).toMatchObject({
      ok: false,
      reason: "invalid",
    });
  });

  test("while QStash refuses publishes the invite is still made, its email waits in the outbox and goes out once", async () => {
    qstash().server.faults.set({ publishOutage: { mode: "refuse" } });
    const result = await createInvite(services, { orgId, actorUserId: owner.id, email: "bat@example.com" });
    if (!result.ok) throw new Error(result.message);
    expect(result.messageId).toBeNull();
    expect(published).toEqual([]);
    expect(await durableQueue(services).depth()).toMatchObject({ pending: 1 });
    expect(await getInvite(services.redis, result.invite.id)).toMatchObject({ status: "PENDING", generation: 1 });

    qstash().server.faults.clear();
    clock.advance(60_000);
    expect((await durableQueue(services).sweep()).published).toHaveLength(1);
    expect(published).toHaveLength(1);
    expect(published[0]!.payload).toMatchObject({ inviteId: result.invite.id, generation: 1 });
    expect(await durableQueue(services).depth()).toMatchObject({ pending: 0 });
    // A second sweep finds nothing: one email for one invite.
    expect((await durableQueue(services).sweep()).published).toEqual([]);
    expect(published).toHaveLength(1);
  });
});

describe("accepting", () => {
  test("adds the membership once; the link can't be used again", async () => {
    const { token } = await invite();
    expect(await lookupInvite(services, token)).toMatchObject({
      state: "pending",
      org: { name: "Nomad Labs" },
      inviterName: "Ada Owner",
    });

    const accepted = await acceptInvite(services, { token, userId: bat.id });
    expect(accepted).toEqual({ ok: true, orgId });
    expect(await isMember(services.redis, orgId, bat.id)).toBe(true);
    expect((await listUserOrgs(services.redis, bat.id)).map((org) => org.name)).toEqual(["Nomad Labs"]);
    expect(await lookupInvite(services, token)).toMatchObject({ state: "accepted" });
    expect(await acceptInvite(services, { token, userId: bat.id })).toEqual({ ok: false, reason: "already_member", orgId });
  });

  test("20 parallel accepts: exactly one succeeds", async () => {
    const { token, result } = await invite();
    const results = await Promise.all(Array.from({ length: 20 }, () => acceptInvite(services, { token, userId: bat.id })));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).map((r) => !r.ok && r.reason)).toEqual(Array(19).fill("already_member"));
    const stored = await getInvite(services.redis, result.invite.id);
    expect(stored).toMatchObject({ status: "ACCEPTED", acceptedBy: bat.id, acceptedAt: START });
  });

  test("an expired invite is refused and marked EXPIRED", async () => {
    const { token, result } = await invite();
    clock.set(START + INVITE_TTL_MS - 1);
    expect(await lookupInvite(services, token)).toMatchObject({ state: "pending" });
    clock.set(START + INVITE_TTL_MS);
    expect(await lookupInvite(services, token)).toMatchObject({ state: "expired" });
    expect(await acceptInvite(services, { token, userId: bat.id })).toEqual({ ok: false, reason: "expired", orgId });
    expect(await isMember(services.redis, orgId, bat.id)).toBe(false);
    expect((await getInvite(services.redis, result.invite.id))!.status).toBe("EXPIRED");
  });

  test("the invite is for one address: someone else signed in can't take it", async () => {
    const { token } = await invite();
    expect(await acceptInvite(services, { token, userId: owner.id })).toEqual({ ok: false, reason: "wrong_email", orgId });
    expect(await lookupInvite(services, token)).toMatchObject({ state: "pending" });
  });

  test("unknown and malformed tokens", async () => {
    await invite();
    expect(await lookupInvite(services, "A".repeat(43))).toEqual({ state: "unknown" });
    expect(await lookupInvite(services, "nope")).toEqual({ state: "unknown" });
    expect(await acceptInvite(services, { token: "A".repeat(43), userId: bat.id })).toEqual({ ok: false, reason: "unknown" });
  });
});

describe("resending and cancelling", () => {
  test("a resend issues a new link and a new email generation; the old link stops working", async () => {
    const first = await invite();
    clock.advance(60_000);
    const resent = await resendInvite(services, { orgId, actorUserId: owner.id, inviteId: first.result.invite.id });
    expect(resent).toMatchObject({ ok: true, generation: 2 });
    const second = published.at(-1)!.payload;
    expect(second.generation).toBe(2);
    expect(second.expiresAt).toBe(START + 60_000 + INVITE_TTL_MS);
    expect(tokenOf(second)).not.toBe(first.token);

    expect(await lookupInvite(services, first.token)).toMatchObject({ state: "superseded", org: { name: "Nomad Labs" } });
    expect(await acceptInvite(services, { token: first.token, userId: bat.id })).toEqual({ ok: false, reason: "superseded" });
    expect(await acceptInvite(services, { token: tokenOf(second), userId: bat.id })).toEqual({ ok: true, orgId });
  });

  test("a resend while QStash refuses: the new link is live only with its email in the outbox, sent once after", async () => {
    const first = await invite();
    qstash().server.faults.set({ publishOutage: { mode: "refuse" } });
    clock.advance(60_000);
    const resent = await resendInvite(services, { orgId, actorUserId: owner.id, inviteId: first.result.invite.id });
    expect(resent).toEqual({ ok: true, generation: 2, messageId: null });
    expect(published).toHaveLength(1);
    expect(await durableQueue(services).depth()).toMatchObject({ pending: 1 });

    qstash().server.faults.clear();
    clock.advance(60_000);
    expect((await durableQueue(services).sweep()).published).toHaveLength(1);
    const second = published.at(-1)!.payload;
    expect(published).toHaveLength(2);
    expect(second).toMatchObject({ inviteId: first.result.invite.id, generation: 2 });
    // The swept email carries the link that works now; the first one is dead.
    expect(await acceptInvite(services, { token: first.token, userId: bat.id })).toEqual({ ok: false, reason: "superseded" });
    expect(await acceptInvite(services, { token: tokenOf(second), userId: bat.id })).toEqual({ ok: true, orgId });
  });

  test("a resend that lost the race to another resend is refused and records no email", async () => {
    const first = await invite();
    const stale = await getInvite(services.redis, first.result.invite.id);
    expect((await resendInvite(services, { orgId, actorUserId: owner.id, inviteId: first.result.invite.id })).ok).toBe(true);
    // Rotating from the generation read before the other resend wrote its own.
    const entry = durableQueue(services).prepare(sendInviteEmail, { ...published.at(-1)!.payload, generation: 2 });
    const answer = await rotateInviteToken(
      services.redis,
      stale!,
      { tokenHash: "f".repeat(64), expiresAt: START + INVITE_TTL_MS, generation: stale!.generation + 1 },
      START,
      3,
      entry,
    );
    expect(answer).toEqual({ state: "stale" });
    expect(await durableQueue(services).depth()).toMatchObject({ pending: 0 });
    expect(await getInvite(services.redis, first.result.invite.id)).toMatchObject({ generation: 2 });
  });

  test("an expired invite can be resent and then accepted", async () => {
    const { result } = await invite();
    clock.advance(INVITE_TTL_MS + 1);
    await resendInvite(services, { orgId, actorUserId: owner.id, inviteId: result.invite.id });
    expect(await acceptInvite(services, { token: tokenOf(published.at(-1)!.payload), userId: bat.id })).toEqual({
      ok: true,
      orgId,
    });
  });

  test("cancel kills the link and frees the address for a new invite", async () => {
    const { token, result } = await invite();
    expect(await cancelInvite(services, { orgId, actorUserId: owner.id, inviteId: result.invite.id })).toEqual({ ok: true });
    expect(await lookupInvite(services, token)).toMatchObject({ state: "cancelled" });
    expect(await acceptInvite(services, { token, userId: bat.id })).toEqual({ ok: false, reason: "cancelled", orgId });
    expect(await resendInvite(services, { orgId, actorUserId: owner.id, inviteId: result.invite.id })).toMatchObject({
      ok: false,
      reason: "not_pending",
    });
    expect((await createInvite(services, { orgId, actorUserId: owner.id, email: "bat@example.com" })).ok).toBe(true);
  });

  test("accepted invites can't be cancelled; others' orgs can't be touched", async () => {
    const { token, result } = await invite();
    await acceptInvite(services, { token, userId: bat.id });
    expect(await cancelInvite(services, { orgId, actorUserId: owner.id, inviteId: result.invite.id })).toMatchObject({
      ok: false,
      reason: "not_pending",
    });
    const otherOrg = await createOrg(services.redis, { name: "Other", ownerId: bat.id }, START);
    expect(await cancelInvite(services, { orgId: otherOrg.id, actorUserId: bat.id, inviteId: result.invite.id })).toMatchObject({
      ok: false,
      reason: "not_found",
    });
  });

  test("the members view lists members and invites with their shown status", async () => {
    const { token } = await invite();
    await invite("eve@example.com");
    await acceptInvite(services, { token, userId: bat.id });
    clock.advance(INVITE_TTL_MS);
    const view = await loadMembersView(services, orgId, owner.id);
    if (!view.ok) throw new Error(view.message);
    expect(view.members.map((m) => [m.name, m.isOwner])).toEqual([
      ["Ada Owner", true],
      ["Bat", false],
    ]);
    expect(view.invites.map((i) => [i.email, i.shownStatus, i.canManage]).sort()).toEqual([
      ["bat@example.com", "ACCEPTED", false],
      ["eve@example.com", "EXPIRED", true],
    ]);
    expect(await loadMembersView(services, orgId, bat.id)).toMatchObject({ ok: false, reason: "forbidden" });
  });
});
