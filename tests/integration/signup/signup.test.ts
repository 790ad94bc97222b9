import { expect, test } from "vitest";
import { getRun } from "@/lib/job-runtime";
import { listEmailLog } from "@/lib/email-log/store";
import { OUTBOX_SWEEP_GRACE_MS } from "@/lib/job-runtime";
import { durableQueue } from "@/lib/jobs/outbox";
import { signUp } from "@/lib/flows/sign-up";
import { setupStackAndApp } from "../../helpers/stack-and-app";

// The app reads the stack's clock, so the outbox's grace period passes with `stack.clock.advance`.
const running = setupStackAndApp({ stackClock: true });

test("signup succeeds while Resend is down; the welcome email goes out once Resend is back", async () => {
  running.stack.resend.faults.set({ status: 503 });

  const result = await signUp(running.app.services, { name: "Grace", email: "grace@example.com", password: "hopper-1906" });
  if (!result.ok || result.outcome !== "created") throw new Error("signup failed");
  // Signup itself never called Resend: nothing was attempted yet.
  expect(running.stack.resend.emails()).toHaveLength(0);

  // First delivery: Resend answers 503, the job answers retryable and keeps its one retry.
  await running.stack.qstash.idle();
  expect(await getRun(running.app.services.redis, result.welcomeMessageId!)).toMatchObject({ status: "failed", attempts: 1 });
  expect(
    (await listEmailLog(running.app.services.redis, result.user.id)).find((entry) => entry.job === "welcome-email"),
  ).toMatchObject({ status: "failed", attempts: 1 });

  running.stack.resend.faults.clear();
  // welcome-email retries after pow(2, 0) * 1000 ms.
  await running.stack.qstash.advance(1_000);

  const sent = running.stack.resend.emails().filter((email) => email.to.includes("grace@example.com"));
  expect(sent).toHaveLength(1);
  expect(sent[0]!.subject).toBe("Welcome, Grace!");
  expect(await getRun(running.app.services.redis, result.welcomeMessageId!)).toMatchObject({ status: "succeeded", attempts: 2 });
  expect(
    (await listEmailLog(running.app.services.redis, result.user.id)).find((entry) => entry.job === "welcome-email"),
  ).toMatchObject({ status: "sent", attempts: 2 });
});

test("a second signup with the same address creates nothing and publishes no welcome", async () => {
  const before = (await running.app.qstash.logs({ filter: { label: "welcome-email" } })).logs.length;
  const again = await signUp(running.app.services, { name: "Grace", email: "GRACE@example.com", password: "another-pass" });
  // Answered like a new sign-up (the page can't tell them apart); the owner is emailed instead.
  expect(again).toEqual({ ok: true, outcome: "exists" });
  expect((await running.app.qstash.logs({ filter: { label: "welcome-email" } })).logs.length).toBe(before);
});

test("invalid input names each field", async () => {
  const result = await signUp(running.app.services, { name: "", email: "nope", password: "short" });
  expect(result).toEqual({
    ok: false,
    fieldErrors: { name: "Enter your name", email: "Enter a valid email address", password: "Use at least 8 characters" },
  });
});

test("signup succeeds while QStash refuses connections; the welcome email goes out once it is back and a sweep runs", async () => {
  running.stack.qstash.faults.set({ publishOutage: { mode: "refuse" } });
  const result = await signUp(running.app.services, { name: "Ada", email: "ada-outage@example.com", password: "lovelace-1815" });
  if (!result.ok || result.outcome !== "created") throw new Error("signup failed");
  expect(result.welcomeMessageId).toBeNull();
  expect(result.verifyMessageId).toBeNull();
  // The welcome email and the link that proves the address both wait in the outbox.
  expect(await durableQueue(running.app.services).depth()).toMatchObject({ pending: 2 });
  await running.stack.qstash.idle();
  expect(running.stack.resend.emails().filter((email) => email.to.includes("ada-outage@example.com"))).toHaveLength(0);

  running.stack.qstash.faults.clear();
  // The next producer call is one of the sweepers; a sweep publishes entries past the grace period.
  await running.stack.clock.advance(OUTBOX_SWEEP_GRACE_MS);
  const next = await signUp(running.app.services, { name: "Bea", email: "bea-after@example.com", password: "lovelace-1815" });
  expect(next.ok).toBe(true);
  expect(await durableQueue(running.app.services).depth()).toMatchObject({ pending: 0 });
  // Four emails share Resend's pace: give the queue the time to send them.
  await running.stack.qstash.advance(10_000);
  expect(
    running.stack.resend
      .emails()
      .filter((email) => email.to.includes("ada-outage@example.com") && email.subject.startsWith("Welcome")),
  ).toHaveLength(1);
  expect(
    running.stack.resend
      .emails()
      .filter((email) => email.to.includes("ada-outage@example.com") && !email.subject.startsWith("Welcome")),
  ).toHaveLength(1);
  expect(
    running.stack.resend
      .emails()
      .filter((email) => email.to.includes("bea-after@example.com") && email.subject.startsWith("Welcome")),
  ).toHaveLength(1);
});

test("parallel signups for one address: exactly one account and one welcome job", async () => {
  const results = await Promise.all(
    Array.from({ length: 10 }, () =>
      signUp(running.app.services, { name: "Twin", email: "twin@example.com", password: "same-pass-123" }),
    ),
  );
  // Every one is answered alike (sign-up reveals nothing); exactly one created the account.
  expect(results.filter((result) => result.ok && result.outcome === "created")).toHaveLength(1);
  expect(results.filter((result) => result.ok && result.outcome === "exists")).toHaveLength(9);
  // The owner's confirmation emails share Resend's pace with the welcome: give the queue time to drain.
  await running.stack.qstash.advance(10_000);
  expect(
    running.stack.resend.emails().filter((email) => email.to.includes("twin@example.com") && email.subject.startsWith("Welcome")),
  ).toHaveLength(1);
});
