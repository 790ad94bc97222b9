import { expect, test } from "vitest";
import { sendAccountExistsNotice, sendVerificationLink } from "@/lib/flows/verification-mail";
import { verifyEmailToken } from "@/lib/users/email-verification";
import { getUser } from "@/lib/users/store";
import { createUnverifiedUser } from "../../helpers/verified-user";
import { outboxOutage } from "../../helpers/outbox-outage";
import { setupStackAndApp } from "../../helpers/stack-and-app";

// A verification link is issued in the script that also writes its email's outbox entry:
// a new link (which makes the old one stale) never goes live without its email on the way.

const running = setupStackAndApp({ stackClock: true, reset: ["qstash", "resend", "redis"] });
const outage = outboxOutage(running);

const user = (email: string) =>
  createUnverifiedUser(running.app.services.redis, { email, name: "Ada" }, running.stack.clock.now());

function tokenIn(text: string | null): string {
  const match = /\/verify-email\/([A-Za-z0-9_-]{43})/.exec(text ?? "");
  if (!match) throw new Error(`no verification link in:\n${text}`);
  return match[1]!;
}

test("a new link asked for while QStash refuses publishes is emailed once after the outage, and it verifies", async () => {
  const ada = await user("ada@example.com");
  outage.start();
  expect(await sendVerificationLink(running.app.services, ada)).toEqual({ state: "queued", messageId: null });
  expect(await outage.pending()).toBe(1);
  expect(await outage.messages("verify-email", ada.id)).toBe(0);

  const [first, second] = await outage.endAndSweep();
  expect(first.published).toHaveLength(1);
  expect(second.published).toEqual([]);
  await running.stack.qstash.advance(10_000); // the paced email
  const emails = outage.emailsTo("ada@example.com");
  expect(emails).toHaveLength(1);
  expect(await verifyEmailToken(running.app.services.redis, tokenIn(emails[0]!.text), running.stack.clock.now())).toEqual({
    ok: true,
    userId: ada.id,
  });
  expect((await getUser(running.app.services.redis, ada.id))?.emailVerifiedAt).toBe(running.stack.clock.now());
});

test("the 'you already have an account' notice asked for during the outage is emailed once after it", async () => {
  const bea = await user("bea@example.com");
  outage.start();
  expect(await sendAccountExistsNotice(running.app.services, bea)).toEqual({ state: "queued", messageId: null });
  expect(await outage.pending()).toBe(1);

  const [first, second] = await outage.endAndSweep();
  expect([...first.published, ...second.published]).toHaveLength(1);
  await running.stack.qstash.advance(10_000);
  expect(outage.emailsTo("bea@example.com")).toHaveLength(1);
});
