import { Redis } from "@upstash/redis";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test, vi } from "vitest";
import { createRedisNotificationLimiter } from "@/lib/auth/notification-limit";
import { signIn } from "@/lib/flows/sign-in";
import { fixedClock } from "@/lib/job-runtime";
import { durableQueue } from "@/lib/jobs/outbox";
import type { EmailMessage } from "@/lib/email/send";
import type { SignInNotificationPayload } from "@/lib/jobs/sign-in-notification";
import { jobs } from "@/lib/jobs/registry";
import { createServices, type Services } from "@/lib/services";
import { getSessionUserId } from "@/lib/sessions";
import { createUser, type User } from "@/lib/users/store";
import { startRedisRestServer, type RedisRestServer } from "@/local/redis/server";
import type { LogEvent } from "@/local/qstash/server";
import { testEnv } from "../../helpers/env";
import { startTestQStash, type TestQStash } from "../../helpers/local-qstash";
import { jobContextFor } from "../../helpers/job-context";

// Sign-in and the notification limit against the Upstash REST emulator, with the real @upstash/ratelimit.
// Notifications are published to the local QStash, whose deliveries land on a receiver that only answers 200.

const NOW = Date.UTC(2025, 0, 15, 12, 30);
let server: RedisRestServer;
let services: Services;
let published: SignInNotificationPayload[];
let qstash: TestQStash | undefined;
let sent: EmailMessage[];
let user: User;

beforeAll(async () => {
  server = await startRedisRestServer({ port: 0 });
});
afterAll(async () => {
  await server?.close();
});

/** What QStash accepted, in order. */
function recordPublished(event: LogEvent) {
  if (event.state === "CREATED")
    published.push(JSON.parse(Buffer.from(event.body ?? "", "base64").toString("utf8")) as SignInNotificationPayload);
}

beforeEach(async () => {
  // The limiter reads Date.now(); pin it mid-window so no test straddles a window edge.
  vi.useFakeTimers({ toFake: ["Date"], now: NOW });
  await server.flush();
  published = [];
  sent = [];
  qstash = await startTestQStash();
  qstash.server.events.on("event", recordPublished);
  const env = testEnv({
    UPSTASH_REDIS_REST_URL: server.url,
    UPSTASH_REDIS_REST_TOKEN: server.token,
    QSTASH_URL: qstash.server.url,
    APP_URL: qstash.receiver.url,
  });
  services = createServices(env, {
    clock: fixedClock(NOW),
    qstash: qstash.client,
    email: {
      async send(message) {
        sent.push(message);
        return { ok: true, id: `email_${sent.length}` };
      },
    },
  });
  const created = await createUser(
    services.redis,
    { email: "bat@example.com", name: "Бат", password: "correct horse", locale: "mn", timeZone: "Asia/Ulaanbaatar" },
    NOW,
  );
  if (!created.ok) throw new Error("user exists");
  user = created.user;
});
afterEach(async () => {
  vi.useRealTimers();
  await qstash?.server.close();
  await qstash?.receiver.close();
});

describe("signIn", () => {
  test("opens a session and queues one notification keyed by a new event id", async () => {
    const result = await signIn(services, {
      email: " Bat@Example.com ",
      password: "correct horse",
      ip: "203.0.113.7",
      userAgent: "Firefox",
    });
    if (!result.ok) throw new Error(result.error);
    expect(await getSessionUserId(services.redis, result.sessionToken)).toBe(user.id);
    expect(published).toEqual([
      { eventId: result.eventId, userId: user.id, signedInAt: NOW, ip: "203.0.113.7", userAgent: "Firefox" },
    ]);
    expect(result.notificationMessageId).toMatch(/^msg_/);

    const again = await signIn(services, { email: "bat@example.com", password: "correct horse", ip: null, userAgent: null });
    expect(again.ok && again.eventId).not.toBe(result.eventId);
  });

  test("a wrong password or unknown address: same message, no session, no notification", async () => {
    const wrong = await signIn(services, { email: "bat@example.com", password: "nope", ip: null, userAgent: null });
    const unknown = await signIn(services, { email: "who@example.com", password: "nope", ip: null, userAgent: null });
    expect(wrong).toEqual({ ok: false, error: "That email and password don't match an account." });
    expect(unknown).toEqual(wrong);
    expect(published).toHaveLength(0);
  });

  test("QStash being down doesn't lock the user out, and the notification waits in the outbox", async () => {
    qstash!.server.faults.set({ publishOutage: { mode: "refuse" } });
    const result = await signIn(services, { email: "bat@example.com", password: "correct horse", ip: null, userAgent: null });
    expect(result).toMatchObject({ ok: true, notificationMessageId: null });
    expect(published).toEqual([]);
    expect(await durableQueue(services).depth()).toMatchObject({ pending: 1 });
  });
});

describe("the notification limit", () => {
  const eventId = (n: number) => `sie_${n.toString(16).padStart(32, "0")}`;
  const context = (n: number) =>
    jobContextFor(services, {
      jobName: "sign-in-notification",
      messageId: `msg_${n}`,
      idempotencyKey: `sign-in-notification/${eventId(n)}`,
    });
  const payload = (n: number): SignInNotificationPayload => ({
    eventId: eventId(n),
    userId: user.id,
    signedInAt: NOW,
    ip: null,
    userAgent: null,
  });

  test("11 sign-ins in an hour: 10 emails, the 11th run succeeds as skipped", async () => {
    const results = [];
    for (let n = 1; n <= 11; n++) results.push(await jobs["sign-in-notification"].handler(payload(n), context(n)));
    expect(sent).toHaveLength(10);
    expect(results.slice(0, 10).every((result) => result && "emailId" in result)).toBe(true);
    expect(results[10]).toMatchObject({ skipped: "rate limited" });
    expect(sent[0]!.subject).toBe("Таны бүртгэлд шинэ нэвтрэлт хийгдлээ");

    // An hour later the window has slid past them all.
    vi.setSystemTime(NOW + 60 * 60 * 1000 + 1);
    expect(await jobs["sign-in-notification"].handler(payload(12), context(12))).toMatchObject({ emailId: "email_11" });
  });

  test("a retried notification that was let through isn't counted twice", async () => {
    const limiter = createRedisNotificationLimiter(services.redis);
    for (let n = 1; n <= 9; n++) expect(await limiter.check(user.id, eventId(n))).toEqual({ allowed: true });
    expect(await limiter.check(user.id, eventId(10))).toEqual({ allowed: true });
    // Event 10's email failed and QStash retries it: still allowed, and the 11th event is still refused.
    expect(await limiter.check(user.id, eventId(10))).toEqual({ allowed: true });
    expect(await limiter.check(user.id, eventId(11))).toMatchObject({ allowed: false });
  });

  test("users are limited separately", async () => {
    const limiter = createRedisNotificationLimiter(services.redis);
    for (let n = 1; n <= 10; n++) await limiter.check(user.id, eventId(n));
    expect(await limiter.check(user.id, eventId(11))).toMatchObject({ allowed: false });
    expect(await limiter.check("usr_other", eventId(12))).toEqual({ allowed: true });
  });

  test("with Redis unreachable the check throws: never allowed, never skipped", async () => {
    const closed = await startRedisRestServer({ port: 0 });
    const url = closed.url;
    await closed.close();
    // No client retries, so the failure surfaces at once instead of after the SDK's backoff.
    const limiter = createRedisNotificationLimiter(new Redis({ url, token: "x", retry: false, enableTelemetry: false }));
    await expect(limiter.check(user.id, eventId(1))).rejects.toThrow();
  });
});
