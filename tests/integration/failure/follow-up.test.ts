import { describe, expect, test } from "vitest";
import { listEmailLog } from "@/lib/email-log/store";
import { jobs as registry } from "@/lib/jobs/registry";
import { welcomeEmail } from "@/lib/jobs/welcome-email";
import { getRun } from "@/lib/job-runtime";
import { setupStackAndApp } from "../../helpers/stack-and-app";

// A welcome email that can't be sent ends in the DLQ; the failure callback then
// marks the user's email log entry failed and emails the admin once, through
// the local QStash, Redis and Resend.

const running = setupStackAndApp({
  app: {
    registry,
    env: { ADMIN_EMAIL: "ops@acme.test", EMAIL_FROM: "Acme <noreply@acme.test>" },
    failureFollowUp: true,
  },
  reset: ["qstash", "resend"],
});

const alerts = () => running.stack.resend.emails().filter((email) => email.to.includes("ops@acme.test"));

describe("final failure follow-up", () => {
  test("a rejected welcome email: email log failed, one admin alert naming job, message, reason and payload", async () => {
    running.stack.resend.faults.set({ failNext: 1, status: 422 });
    const { messageId } = await running.app.services.queue.enqueue(welcomeEmail, {
      userId: "usr_dead",
      email: "ada@example.com",
      name: "Ada",
    });
    await running.stack.qstash.idle();

    const run = await getRun(running.app.services.redis, messageId);
    expect(run).toMatchObject({ status: "dead", job: "welcome-email", lastError: expect.stringContaining("489") });
    const [entry] = await listEmailLog(running.app.services.redis, "usr_dead");
    expect(entry).toMatchObject({
      key: "welcome-email/usr_dead",
      status: "failed",
      lastError: expect.stringMatching(/^gave up after HTTP 489: Resend 422/),
    });

    expect(alerts()).toHaveLength(1);
    const [alert] = alerts();
    expect(alert!.idempotencyKey).toBe(`dlq-alert/${messageId}`);
    expect(alert!.subject).toBe("Job welcome-email failed and is in the dead-letter queue");
    expect(alert!.text).toContain(`Message id: ${messageId}`);
    expect(alert!.text).toContain("Reason: Resend 422 validation_error");
    expect(alert!.text).toContain('"userId": "usr_dead"');
    expect(alert!.text).toContain(`${running.app.url}/admin?dlq=${run!.dlqId}`);
  });

  test("Resend down: retries run out, and the alert waits for Resend via the callback's own retry", async () => {
    running.stack.resend.faults.set({ status: 500 });
    const { messageId } = await running.app.services.queue.enqueue(welcomeEmail, {
      userId: "usr_down",
      email: "bob@example.com",
      name: "Bob",
    });
    await running.stack.qstash.idle();
    // welcome-email retries 3 times (after 1, 2 and 4 s); then the failure callback runs and its alert fails too.
    await running.stack.qstash.advance(1_000 + 2_000 + 4_000);
    expect(await getRun(running.app.services.redis, messageId)).toMatchObject({ status: "dead", attempts: 4 });
    expect((await listEmailLog(running.app.services.redis, "usr_down"))[0]).toMatchObject({
      status: "failed",
      lastError: expect.stringContaining("Resend 500"),
    });
    expect(alerts()).toEqual([]);

    running.stack.resend.faults.clear();
    await running.stack.qstash.advance(10_000);
    expect(alerts().map((email) => email.idempotencyKey)).toEqual([`dlq-alert/${messageId}`]);
  });
});
