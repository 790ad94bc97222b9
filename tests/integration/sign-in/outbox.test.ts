import { expect, test } from "vitest";
import { signIn, newSignInEventId } from "@/lib/flows/sign-in";
import { durableQueue } from "@/lib/jobs/outbox";
import { signInNotification } from "@/lib/jobs/sign-in-notification";
import { createSession, getSessionUserId } from "@/lib/sessions";
import { createUnverifiedUser } from "../../helpers/verified-user";
import { outboxOutage } from "../../helpers/outbox-outage";
import { setupStackAndApp } from "../../helpers/stack-and-app";

// The sign-in notification goes through the outbox: written with the session in one
// transaction, so neither a QStash outage nor a crash loses the notice of a sign-in.

const running = setupStackAndApp({ stackClock: true, reset: ["qstash", "resend", "redis"] });
const outage = outboxOutage(running);

const user = (email: string) =>
  createUnverifiedUser(running.app.services.redis, { email, name: "Ada" }, running.stack.clock.now());

test("signing in while QStash refuses publishes works; the notice waits in the outbox and is emailed once after", async () => {
  await user("ada@example.com");
  outage.start();
  const result = await signIn(running.app.services, {
    email: "ada@example.com",
    password: "correct horse",
    ip: "203.0.113.7",
    userAgent: "Mozilla/5.0 Firefox/128.0",
  });
  if (!result.ok) throw new Error(result.error);
  expect(result.notificationMessageId).toBeNull();
  expect(await getSessionUserId(running.app.services.redis, result.sessionToken)).toBe(result.user.id);
  expect(await outage.pending()).toBe(1);
  expect(await outage.messages("sign-in-notification", result.eventId)).toBe(0);

  const [first, second] = await outage.endAndSweep();
  expect(first.published).toHaveLength(1);
  expect(second.published).toEqual([]);
  expect(await outage.pending()).toBe(0);
  await running.stack.qstash.advance(10_000); // the paced email
  expect(await outage.messages("sign-in-notification", result.eventId)).toBe(1);
  const emails = outage.emailsTo("ada@example.com");
  expect(emails).toHaveLength(1);
  expect(emails[0]!.idempotencyKey).toBe(`sign-in-notification/${result.eventId}`);
});

test("the session and its notice written, then a crash before the publish: a sweep emails the notice once", async () => {
  const bea = await user("bea@example.com");
  const eventId = newSignInEventId();
  const notice = durableQueue(running.app.services).prepare(signInNotification, {
    eventId,
    userId: bea.id,
    signedInAt: running.stack.clock.now(),
    ip: null,
    userAgent: null,
  });
  // What signIn writes in its one transaction, and nothing after it.
  await createSession(running.app.services.redis, bea.id, notice);

  const [first, second] = await outage.endAndSweep();
  expect([...first.published, ...second.published].map((published) => published.entryId)).toEqual([notice.id]);
  await running.stack.qstash.advance(10_000);
  expect(outage.emailsTo("bea@example.com")).toHaveLength(1);
});
