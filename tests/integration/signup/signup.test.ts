import { expect, test } from "vitest";
import { getRun } from "@/lib/job-runtime";
import { listEmailLog } from "@/lib/email-log/store";
import { signUp } from "@/lib/flows/sign-up";
import { setupStackAndApp } from "../../helpers/stack-and-app";

const running = setupStackAndApp();

test("signup succeeds while Resend is down; the welcome email goes out once Resend is back", async () => {
  running.stack.resend.faults.set({ status: 503 });

  const result = await signUp(running.app.services, { name: "Grace", email: "grace@example.com", password: "hopper-1906" });
  expect(result.ok).toBe(true);
  if (!result.ok) return;
  // Signup itself never called Resend: nothing was attempted yet.
  expect(running.stack.resend.emails()).toHaveLength(0);

  // First delivery: Resend answers 503, the job answers retryable and keeps its one retry.
  await running.stack.qstash.idle();
  expect(await getRun(running.app.services.redis, result.welcomeMessageId)).toMatchObject({ status: "failed", attempts: 1 });
  expect((await listEmailLog(running.app.services.redis, result.user.id))[0]).toMatchObject({ status: "failed", attempts: 1 });

  running.stack.resend.faults.clear();
  // welcome-email retries after pow(2, 0) * 1000 ms.
  await running.stack.qstash.advance(1_000);

  const sent = running.stack.resend.emails().filter((email) => email.to.includes("grace@example.com"));
  expect(sent).toHaveLength(1);
  expect(sent[0]!.subject).toBe("Welcome, Grace!");
  expect(await getRun(running.app.services.redis, result.welcomeMessageId)).toMatchObject({ status: "succeeded", attempts: 2 });
  expect((await listEmailLog(running.app.services.redis, result.user.id))[0]).toMatchObject({ status: "sent", attempts: 2 });
});

test("a second signup with the same address is refused and publishes nothing", async () => {
  const before = (await running.app.qstash.logs({ filter: { label: "welcome-email" } })).logs.length;
  const again = await signUp(running.app.services, { name: "Grace", email: "GRACE@example.com", password: "another-pass" });
  expect(again).toEqual({ ok: false, fieldErrors: { email: "An account with this email already exists" } });
  expect((await running.app.qstash.logs({ filter: { label: "welcome-email" } })).logs.length).toBe(before);
});

test("invalid input names each field", async () => {
  const result = await signUp(running.app.services, { name: "", email: "nope", password: "short" });
  expect(result).toEqual({
    ok: false,
    fieldErrors: { name: "Enter your name", email: "Enter a valid email address", password: "Use at least 8 characters" },
  });
});
