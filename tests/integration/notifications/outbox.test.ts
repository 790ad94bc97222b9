import { expect, test } from "vitest";
import { notifyUser } from "@/lib/flows/notify";
import { listNotifications } from "@/lib/notifications/store";
import { createUser } from "@/lib/users/store";
import { outboxOutage } from "../../helpers/outbox-outage";
import { setupStackAndApp } from "../../helpers/stack-and-app";

// A notification has no record of its own until its job runs: the outbox entry is
// that record, so a QStash outage delays the notification instead of losing it.

const running = setupStackAndApp({ stackClock: true, reset: ["qstash", "resend", "redis"] });
const outage = outboxOutage(running);

test("a notification sent while QStash refuses publishes is stored and emailed once after the outage", async () => {
  const created = await createUser(
    running.app.services.redis,
    { email: "ada@example.com", name: "Ada", password: "correct horse", locale: "en", timeZone: "UTC" },
    running.stack.clock.now(),
  );
  if (!created.ok) throw new Error("user exists");
  outage.start();
  const sent = await notifyUser(running.app.services, {
    userId: created.user.id,
    title: "Your export is ready",
    body: "It has 3 files.",
    link: "/notifications",
  });
  expect(sent).toEqual({ notificationId: expect.stringMatching(/^ntf_/), messageId: null });
  expect(await outage.pending()).toBe(1);
  expect(await outage.messages("notification", sent!.notificationId)).toBe(0);
  await running.stack.qstash.idle();
  expect(await listNotifications(running.app.services.redis, created.user.id)).toEqual([]);

  const [first, second] = await outage.endAndSweep();
  expect(first.published).toHaveLength(1);
  expect(second.published).toEqual([]);
  await running.stack.qstash.advance(10_000); // the paced email
  expect(await outage.messages("notification", sent!.notificationId)).toBe(1);
  expect(await listNotifications(running.app.services.redis, created.user.id)).toEqual([
    expect.objectContaining({ id: sent!.notificationId, title: "Your export is ready" }),
  ]);
  const emails = outage.emailsTo("ada@example.com");
  expect(emails).toHaveLength(1);
  expect(emails[0]!.idempotencyKey).toBe(`notification/${sent!.notificationId}`);
});
