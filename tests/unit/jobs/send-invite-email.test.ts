import { describe, expect, expectTypeOf, test } from "vitest";
import { NonRetryableError, RetryableError, type JobInput, type JobQueue } from "@/lib/job-runtime";
import { jobs } from "@/lib/jobs/registry";
import { createSendInviteEmailHandler, staleReason } from "@/lib/jobs/send-invite-email.handler";
import {
  inviteEmailKey,
  sendInviteEmail,
  sendInviteEmailSchema,
  type SendInviteEmailPayload,
} from "@/lib/jobs/send-invite-email";
import { INVITE_TTL_MS, type Invite } from "@/lib/invites/store";
import { isolatedJobContext, NOW } from "../../helpers/job-context";

const payload: SendInviteEmailPayload = {
  inviteId: "inv_0123456789abcdef0123456789abcdef",
  orgId: "org_1",
  generation: 1,
  email: "bat@example.com",
  invitedBy: "usr_owner",
  orgName: "Nomad Labs",
  inviterName: "Ada",
  acceptUrl: "https://app.test/invite/abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ",
  expiresAt: NOW + INVITE_TTL_MS,
};

const pendingInvite: Invite = {
  id: payload.inviteId,
  orgId: "org_1",
  email: payload.email,
  invitedBy: payload.invitedBy,
  status: "PENDING",
  tokenHash: "f".repeat(64),
  generation: 1,
  createdAt: NOW,
  sentAt: NOW,
  expiresAt: NOW + INVITE_TTL_MS,
};

function jobWith(invite: Invite | null) {
  return createSendInviteEmailHandler({ loadInvite: async () => invite });
}

describe("send-invite-email: contract", () => {
  test("is registered under its file name", () => {
    expect(jobs["send-invite-email"]).toMatchObject({ name: sendInviteEmail.name, schema: sendInviteEmail.schema });
    expect(sendInviteEmail.name).toBe("send-invite-email");
  });

  test("accepts a complete payload", () => {
    expect(sendInviteEmailSchema.safeParse(payload).success).toBe(true);
  });

  test.each([
    ["a malformed invite id", { inviteId: "inv_1" }, "inviteId"],
    ["a bad address", { email: "nope" }, "email"],
    ["a link that isn't an invite link", { acceptUrl: "https://app.test/account" }, "acceptUrl"],
    ["a javascript: link", { acceptUrl: "javascript:alert(1)" }, "acceptUrl"],
    ["generation 0", { generation: 0 }, "generation"],
    ["a string expiry", { expiresAt: "tomorrow" }, "expiresAt"],
  ])("rejects %s", (_label, change, field) => {
    const result = sendInviteEmailSchema.safeParse({ ...payload, ...change });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((issue) => issue.path[0])).toContain(field);
  });

  test("the idempotency key is the invite and its link generation: a resend is a new email", () => {
    expect(sendInviteEmail.idempotencyKey!(payload)).toBe("inv_0123456789abcdef0123456789abcdef/1");
    expect(inviteEmailKey({ ...payload, generation: 2 })).toBe("inv_0123456789abcdef0123456789abcdef/2");
  });

  test("producers can only publish the schema's payload", () => {
    expectTypeOf<JobInput<typeof sendInviteEmail>>().toEqualTypeOf<{
      inviteId: string;
      orgId: string;
      generation: number;
      email: string;
      invitedBy: string;
      orgName: string;
      inviterName: string;
      acceptUrl: string;
      expiresAt: number;
    }>();
    const queue = {} as JobQueue;
    // @ts-expect-error the accept link is required
    void (() => queue.enqueue(sendInviteEmail, { ...payload, acceptUrl: undefined }));
    // @ts-expect-error generation is a number
    void (() => queue.enqueue(sendInviteEmail, { ...payload, generation: "1" }));
    // @ts-expect-error a sign-in payload is not an invite payload
    void (() => queue.enqueue(sendInviteEmail, { eventId: "sie_x", userId: "u", signedInAt: 1, ip: null, userAgent: null }));
  });
});

describe("send-invite-email: handler", () => {
  test("sends the link under the job's idempotency key and logs it for the inviter", async () => {
    const { context, sent, emailLog } = isolatedJobContext({
      idempotencyKey: "send-invite-email/inv_0123456789abcdef0123456789abcdef/1",
    });
    const result = await jobWith(pendingInvite).handler(payload, context);

    expect(result).toEqual({ emailId: "email_1" });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      to: "bat@example.com",
      subject: "Ada invited you to join “Nomad Labs”",
      idempotencyKey: "send-invite-email/inv_0123456789abcdef0123456789abcdef/1",
      tags: [{ name: "job", value: "send-invite-email" }],
    });
    expect(sent[0]!.text).toContain(payload.acceptUrl);
    expect(emailLog).toHaveLength(1);
    expect(emailLog[0]!.find(([command]) => command === "hset")?.[2]).toMatchObject({ userId: "usr_owner", status: "sent" });
  });

  test("a retry renders byte-identical email", async () => {
    const first = isolatedJobContext();
    const second = isolatedJobContext({ retried: 1 });
    await jobWith(pendingInvite).handler(payload, first.context);
    await jobWith(pendingInvite).handler(payload, second.context);
    expect(second.sent[0]).toEqual(first.sent[0]);
  });

  test.each([
    ["cancelled", { status: "CANCELLED" as const }, "invite cancelled"],
    ["accepted", { status: "ACCEPTED" as const }, "invite accepted"],
    ["expired", { expiresAt: NOW }, "invite expired"],
    ["resent since", { generation: 2 }, "link replaced"],
  ])("an invite %s is skipped, not sent and not failed", async (_label, change, reason) => {
    const { context, sent } = isolatedJobContext();
    await expect(jobWith({ ...pendingInvite, ...change }).handler(payload, context)).resolves.toEqual({ skipped: reason });
    expect(sent).toHaveLength(0);
  });

  test("an unknown invite is non-retryable", async () => {
    const { context, sent } = isolatedJobContext();
    await expect(jobWith(null).handler(payload, context)).rejects.toBeInstanceOf(NonRetryableError);
    expect(sent).toHaveLength(0);
  });

  test("Resend's rate limit becomes a retryable 429 with its Retry-After plus jitter", async () => {
    const { context } = isolatedJobContext({
      emailFailures: [{ name: "rate_limit_exceeded", statusCode: 429, message: "slow down", retryAfterSeconds: 2 }],
    });
    const error = await jobWith(pendingInvite)
      .handler(payload, context)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RetryableError);
    expect(error).toMatchObject({ status: 429 });
    expect((error as RetryableError).retryAfterSeconds).toBeOneOf([2, 3, 4]);
  });

  test("a rejected address is non-retryable", async () => {
    const { context, emailLog } = isolatedJobContext({
      emailFailures: [{ name: "validation_error", statusCode: 422, message: "invalid to" }],
    });
    await expect(jobWith(pendingInvite).handler(payload, context)).rejects.toBeInstanceOf(NonRetryableError);
    expect(emailLog[0]!.find(([command]) => command === "hset")?.[2]).toMatchObject({ status: "failed" });
  });
});

describe("staleReason", () => {
  test("an invite for another org is never emailed", () => {
    expect(staleReason({ ...pendingInvite, orgId: "org_2" }, payload, NOW)).toBe("invite belongs to another organisation");
    expect(staleReason(pendingInvite, payload, NOW)).toBeNull();
  });
});
