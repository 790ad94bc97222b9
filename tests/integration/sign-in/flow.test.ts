import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { signIn } from "@/lib/flows/sign-in";
import { getRun } from "@/lib/job-runtime";
import { createUser } from "@/lib/users/store";
import { setupStackAndApp } from "../../helpers/stack-and-app";

// Eleven sign-ins within an hour, through the local stack: QStash delivers every
// notification to the signed job route, @upstash/ratelimit runs against the Redis
// emulator, and the Resend look-alike receives what was sent.

const HOUR = 60 * 60 * 1000;

beforeAll(() => {
  // @upstash/ratelimit reads Date.now(); freeze it mid-hour (before the stack starts, so its
  // manual clock and the signatures agree) so the eleven sign-ins share one window.
  vi.useFakeTimers({ toFake: ["Date"], now: Math.floor(Date.now() / HOUR) * HOUR + HOUR / 2 });
});
// Registered first, so it runs after the stack and app are closed.
afterAll(() => {
  vi.useRealTimers();
});
const running = setupStackAndApp({ stackClock: true });

describe("sign-in notifications", () => {
  test("11 sign-ins in an hour: 10 emails, and the 11th run succeeded as rate limited", async () => {
    const created = await createUser(
      running.app.services.redis,
      { email: "bat@example.com", name: "Бат", password: "correct horse", locale: "mn", timeZone: "Asia/Ulaanbaatar" },
      running.stack.clock.now(),
    );
    if (!created.ok) throw new Error("user exists");

    const messageIds: string[] = [];
    for (let i = 0; i < 11; i++) {
      const result = await signIn(running.app.services, {
        email: "bat@example.com",
        password: "correct horse",
        ip: "203.0.113.7",
        userAgent: "Mozilla/5.0 Firefox/128.0",
      });
      if (!result.ok || !result.notificationMessageId) throw new Error("sign-in failed");
      messageIds.push(result.notificationMessageId);
    }
    // Sign-in emails share the Resend pace (2 a second): let all 11 go out.
    await running.stack.qstash.advance(10_000);

    const emails = running.stack.resend.emails().filter((email) => email.to.includes("bat@example.com"));
    expect(emails).toHaveLength(10);
    expect(emails.every((email) => email.subject === "Таны бүртгэлд шинэ нэвтрэлт хийгдлээ")).toBe(true);
    expect(emails[0]!.text).toContain("(Asia/Ulaanbaatar, UTC+08:00)");
    expect(new Set(emails.map((email) => email.idempotencyKey)).size).toBe(10);

    const runs = await Promise.all(messageIds.map((id) => getRun(running.app.services.redis, id)));
    expect(runs.every((run) => run?.status === "succeeded" && run.attempts === 1)).toBe(true);
    const skipped = runs.filter((run) => (run?.result as { skipped?: string } | undefined)?.skipped === "rate limited");
    expect(skipped).toHaveLength(1);
    expect(runs.filter((run) => typeof (run?.result as { emailId?: unknown } | undefined)?.emailId === "string")).toHaveLength(
      10,
    );
  });
});
