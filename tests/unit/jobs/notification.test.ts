import { afterEach, describe, expect, expectTypeOf, test } from "vitest";
import { listEmailLog } from "@/lib/email-log/store";
import type { JobInput } from "@/lib/job-runtime";
import { notification } from "@/lib/jobs/notification";
import { jobs } from "@/lib/jobs/registry";
import { notifyUser } from "@/lib/flows/notify";
import { addNotification, listNotifications, markRead, unreadCount } from "@/lib/notifications/store";
import { createUser } from "@/lib/users/store";
import { deliver, fakeServices } from "../../helpers/fake-services";
import { testEnv } from "../../helpers/env";
import { setupMemoryRedis } from "../../helpers/msw";
import { qstashHandlers } from "../../msw/qstash";

const env = testEnv();
// notifyUser publishes through the outbox with the services' QStash client: msw answers it.
const qstash = qstashHandlers(env.QSTASH_URL);
const { redis } = setupMemoryRedis(env.UPSTASH_REDIS_REST_URL, ...qstash.handlers);
afterEach(() => qstash.reset());

// The registered job: its handler loads on first use, as in the route.
const registry = { notification: jobs.notification };
const payload = {
  notificationId: "ntf_1",
  userId: "usr_1",
  email: "ada@example.com",
  name: "Ada",
  title: "Your report is ready",
  body: "It covers the last 30 days.",
  link: "/reports/rep_1",
} satisfies JobInput<typeof notification>;

describe("notification job", () => {
  test("stores an unread in-app notification and emails it with an absolute link", async () => {
    const { services, email } = fakeServices({ env });
    const answer = await deliver(services, notification, payload, { registry });
    expect(answer.status).toBe(200);
    expect(answer.body.result).toEqual({ stored: true, emailed: true, emailId: "email_1" });

    expect(await listNotifications(services.redis, "usr_1")).toEqual([
      {
        id: "ntf_1",
        userId: "usr_1",
        title: "Your report is ready",
        body: "It covers the last 30 days.",
        link: "/reports/rep_1",
        createdAt: services.clock.now(),
      },
    ]);
    expect(await unreadCount(services.redis, "usr_1")).toBe(1);
    expect(email.sent[0]).toMatchObject({ subject: "Your report is ready", idempotencyKey: "notification/ntf_1" });
    expect(email.sent[0]!.text).toContain("Open: https://app.test/reports/rep_1");
    expect((await listEmailLog(services.redis, "usr_1"))[0]).toMatchObject({ job: "notification", status: "sent" });
  });

  test("an email failure retries the job without a second in-app entry or un-reading it", async () => {
    const { services, email } = fakeServices({ env });
    email.failNext({ name: "internal_server_error", statusCode: 502, message: "bad gateway" });
    expect((await deliver(services, notification, payload, { messageId: "m1", registry })).status).toBe(503);
    await markRead(services.redis, "usr_1", services.clock.now(), ["ntf_1"]);

    const retry = await deliver(services, notification, payload, { messageId: "m1", retried: 1, registry });
    expect(retry.body.result).toMatchObject({ stored: false, emailed: true });
    expect(await listNotifications(services.redis, "usr_1")).toHaveLength(1);
    expect(await unreadCount(services.redis, "usr_1")).toBe(0);
    expect(email.sent).toHaveLength(1);
  });

  test("sendEmail: false stores only", async () => {
    const { services, email } = fakeServices({ env });
    const answer = await deliver(services, notification, { ...payload, sendEmail: false }, { registry });
    expect(answer.body.result).toEqual({ stored: true, emailed: false });
    expect(email.attempts).toBe(0);
  });

  test.each([
    ["a javascript: link", { ...payload, link: "javascript:alert(1)" }],
    ["a protocol-relative link", { ...payload, link: "//evil.example/x" }],
    ["an http link", { ...payload, link: "http://example.com" }],
    ["an empty title", { ...payload, title: " " }],
    ["a bad id", { ...payload, notificationId: "ntf 1" }],
  ])("489 for %s", async (_name, bad) => {
    const { services } = fakeServices({ env });
    expect((await deliver(services, notification, bad, { registry })).status).toBe(489);
    expect(redis.commands).toBe(0);
  });

  test("keyed by notification id", () => {
    expect(notification.idempotencyKey!(notification.schema.parse(payload))).toBe("ntf_1");
    expect(notification.retries).toBe(3);
  });

  test("producers can't publish a wrong payload (types)", () => {
    const { services } = fakeServices({ env });
    expectTypeOf<JobInput<typeof notification>>().toHaveProperty("sendEmail").toEqualTypeOf<boolean | undefined>();
    // @ts-expect-error title is required
    void (() => services.queue.enqueue(notification, { ...payload, title: undefined }));
  });
});

describe("notifyUser", () => {
  test("reads the user's address and name into the payload", async () => {
    const { services } = fakeServices({ env });
    const created = await createUser(
      services.redis,
      { email: "ada@example.com", name: "Ada", password: "correct horse", locale: "en", timeZone: "UTC" },
      services.clock.now(),
    );
    if (!created.ok) throw new Error("user not created");
    const result = await notifyUser(services, { userId: created.user.id, title: "Hi", body: "There" });
    expect(result?.notificationId).toMatch(/^ntf_[0-9a-f]{32}$/);
    expect(result?.messageId).toBe("msg_1");
    expect(qstash.jobs()).toHaveLength(1);
    expect(qstash.jobs()[0]!.payload).toEqual({
      notificationId: result!.notificationId,
      userId: created.user.id,
      email: "ada@example.com",
      name: "Ada",
      title: "Hi",
      body: "There",
      sendEmail: true,
    });
  });

  test("an unknown user is not notified", async () => {
    const { services } = fakeServices({ env });
    expect(await notifyUser(services, { userId: "usr_missing", title: "Hi", body: "There" })).toBeNull();
    expect(qstash.jobs()).toEqual([]);
  });
});

describe("in-app notification store", () => {
  test("newest first, read state, mark all read, numeric-looking text stays text", async () => {
    const { services } = fakeServices({ env });
    await addNotification(services.redis, { id: "a", userId: "u", title: "2024", body: "1", createdAt: 1 });
    await addNotification(services.redis, { id: "b", userId: "u", title: "B", body: "b", createdAt: 2 });
    const list = await listNotifications(services.redis, "u");
    expect(list.map((item) => item.id)).toEqual(["b", "a"]);
    expect(list[1]!.title).toBe("2024");
    expect(await markRead(services.redis, "u", 10, ["a"])).toBe(1);
    expect(await markRead(services.redis, "u", 11, ["a"])).toBe(0);
    expect((await listNotifications(services.redis, "u")).find((item) => item.id === "a")?.readAt).toBe(10);
    expect(await markRead(services.redis, "u", 12)).toBe(1);
    expect(await unreadCount(services.redis, "u")).toBe(0);
    expect(await markRead(services.redis, "u", 13)).toBe(0);
  });
});
