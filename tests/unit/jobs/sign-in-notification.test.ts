import { describe, expect, expectTypeOf, test } from "vitest";
import { decide, type LimitDecision, type NotificationLimiter } from "@/lib/auth/notification-limit";
import { NonRetryableError, RetryableError, type JobInput, type JobQueue } from "@/lib/job-runtime";
import { jobs } from "@/lib/jobs/registry";
import { createSignInNotificationHandler } from "@/lib/jobs/sign-in-notification.handler";
import { signInNotification, signInNotificationSchema, type SignInNotificationPayload } from "@/lib/jobs/sign-in-notification";
import type { User } from "@/lib/users/store";
import { isolatedJobContext, NOW } from "../../helpers/job-context";

const payload: SignInNotificationPayload = {
  eventId: "sie_0123456789abcdef0123456789abcdef",
  userId: "usr_1",
  signedInAt: NOW,
  ip: "203.0.113.7",
  userAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0",
};

const bat: User = {
  id: "usr_1",
  email: "bat@example.com",
  name: "Бат",
  locale: "mn",
  timeZone: "Asia/Ulaanbaatar",
  createdAt: NOW - 1000,
};

/** A limiter that answers from a script and records what it was asked. */
function scriptedLimiter(...answers: Array<LimitDecision | Error>) {
  const calls: Array<{ userId: string; eventId: string }> = [];
  const limiter: NotificationLimiter = {
    async check(userId, eventId) {
      calls.push({ userId, eventId });
      const answer = answers.shift() ?? { allowed: true };
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
  return { limiter, calls };
}

function jobWith(user: User | null, limiter: NotificationLimiter = scriptedLimiter().limiter) {
  return createSignInNotificationHandler({ loadUser: async () => user, limiter: async () => limiter });
}

describe("sign-in-notification: contract", () => {
  test("is registered under its file name", () => {
    expect(jobs["sign-in-notification"]).toMatchObject({ name: signInNotification.name, schema: signInNotification.schema });
  });

  test("the idempotency key is the sign-in event id", () => {
    expect(signInNotification.idempotencyKey!(payload)).toBe("sie_0123456789abcdef0123456789abcdef");
  });

  test("accepts unknown IP and user agent as null", () => {
    expect(signInNotificationSchema.safeParse({ ...payload, ip: null, userAgent: null }).success).toBe(true);
  });

  test.each([
    ["an event id of the wrong shape", { eventId: "evt_1" }, "eventId"],
    ["a time in seconds as a string", { signedInAt: "1736944200" }, "signedInAt"],
    ["a fractional time", { signedInAt: 1.5 }, "signedInAt"],
    ["a missing IP field", { ip: undefined }, "ip"],
    ["an oversized user agent", { userAgent: "x".repeat(513) }, "userAgent"],
    ["an empty user id", { userId: "" }, "userId"],
  ])("rejects %s", (_label, change, field) => {
    const result = signInNotificationSchema.safeParse({ ...payload, ...change });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((issue) => issue.path[0])).toContain(field);
  });

  test("producers can only publish the schema's payload", () => {
    expectTypeOf<JobInput<typeof signInNotification>>().toEqualTypeOf<{
      eventId: string;
      userId: string;
      signedInAt: number;
      ip: string | null;
      userAgent: string | null;
    }>();
    const queue = {} as JobQueue;
    // @ts-expect-error the time is epoch milliseconds, not a Date
    void (() => queue.enqueue(signInNotification, { ...payload, signedInAt: new Date() }));
    // @ts-expect-error the event id is required: it is the idempotency key
    void (() => queue.enqueue(signInNotification, { userId: "u", signedInAt: 1, ip: null, userAgent: null }));
    // @ts-expect-error ip may be null but not left out
    void (() => queue.enqueue(signInNotification, { eventId: "sie_x", userId: "u", signedInAt: 1, userAgent: null }));
  });
});

describe("sign-in-notification: handler", () => {
  test("emails the user in their language and time zone under the job's key", async () => {
    const { context, sent } = isolatedJobContext({ idempotencyKey: "sign-in-notification/sie_0123456789abcdef0123456789abcdef" });
    const limiter = scriptedLimiter({ allowed: true });
    const result = await jobWith(bat, limiter.limiter).handler(payload, context);

    expect(result).toEqual({ emailId: "email_1", locale: "mn" });
    expect(limiter.calls).toEqual([{ userId: "usr_1", eventId: payload.eventId }]);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      to: "bat@example.com",
      subject: "Таны бүртгэлд шинэ нэвтрэлт хийгдлээ",
      idempotencyKey: "sign-in-notification/sie_0123456789abcdef0123456789abcdef",
    });
    expect(sent[0]!.text).toContain("2025 оны нэгдүгээр сарын 15, лхагва гараг 20:30 (Asia/Ulaanbaatar, UTC+08:00)");
    expect(sent[0]!.text).toContain("203.0.113.7");
  });

  test("over the limit the run succeeds with skipped: rate limited and sends nothing", async () => {
    const { context, sent, emailLog } = isolatedJobContext();
    const resetAt = NOW + 30 * 60 * 1000;
    const result = await jobWith(bat, scriptedLimiter({ allowed: false, resetAt }).limiter).handler(payload, context);
    expect(result).toEqual({ skipped: "rate limited", resetAt });
    expect(sent).toHaveLength(0);
    expect(emailLog).toHaveLength(0);
  });

  test("a limiter that can't reach Redis fails the run (retried), it never counts as allowed or skipped", async () => {
    const { context, sent } = isolatedJobContext();
    const down = new Error("connect ECONNREFUSED");
    await expect(jobWith(bat, scriptedLimiter(down).limiter).handler(payload, context)).rejects.toBe(down);
    expect(sent).toHaveLength(0);
  });

  test("an unknown user is non-retryable and never reaches the limiter", async () => {
    const { context, sent } = isolatedJobContext();
    const limiter = scriptedLimiter();
    await expect(jobWith(null, limiter.limiter).handler(payload, context)).rejects.toBeInstanceOf(NonRetryableError);
    expect(limiter.calls).toHaveLength(0);
    expect(sent).toHaveLength(0);
  });

  test("Resend being down is retryable (503)", async () => {
    const { context } = isolatedJobContext({
      emailFailures: [{ name: "internal_server_error", statusCode: 500, message: "oops" }],
    });
    const error = await jobWith(bat)
      .handler(payload, context)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RetryableError);
    expect(error).toMatchObject({ status: 503 });
  });

  test("a daily quota is non-retryable", async () => {
    const { context } = isolatedJobContext({
      emailFailures: [{ name: "daily_quota_exceeded", statusCode: 429, message: "quota" }],
    });
    await expect(jobWith(bat).handler(payload, context)).rejects.toBeInstanceOf(NonRetryableError);
  });

  test("English users get English", async () => {
    const { context, sent } = isolatedJobContext();
    await jobWith({ ...bat, name: "Ada", locale: "en", timeZone: "Europe/London" }).handler(payload, context);
    expect(sent[0]!.subject).toBe("New sign-in to your account");
    expect(sent[0]!.text).toContain("Wednesday, 15 January 2025 at 12:30 (Europe/London, UTC+00:00)");
  });
});

describe("decide: reading @upstash/ratelimit answers", () => {
  test("success from Redis allows", () => {
    expect(decide({ success: true, reset: 1 })).toEqual({ allowed: true });
  });

  test("a refusal skips until the window resets", () => {
    expect(decide({ success: false, reset: 42 })).toEqual({ allowed: false, resetAt: 42 });
    expect(decide({ success: false, reset: 42, reason: "cacheBlock" })).toEqual({ allowed: false, resetAt: 42 });
  });

  test("the timeout fallback's success:true is not believed", () => {
    expect(() => decide({ success: true, reset: 0, reason: "timeout" })).toThrow(RetryableError);
  });
});
