import { describe, expect, onTestFinished, test } from "vitest";
import { EMAIL_PACE } from "@/lib/email/pace";
import type { LogEvent } from "@/local/qstash/log";
import { listEmailLog } from "@/lib/email-log/store";
import { jobs as registry } from "@/lib/jobs/registry";
import { welcomeEmail } from "@/lib/jobs/welcome-email";
import { getRun } from "@/lib/job-runtime";
import { setupStackAndApp } from "../../helpers/stack-and-app";

// A welcome email that can't be sent ends in the DLQ; the failure callback then
// marks the user's email log entry failed and publishes one paced alert job that
// emails the admin, through the local QStash, Redis and Resend.

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
    const events: LogEvent[] = [];
    const onEvent = (event: LogEvent) => void events.push(event);
    running.stack.qstash.events.on("event", onEvent);
    onTestFinished(() => void running.stack.qstash.events.off("event", onEvent));
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
    // Sent by the alert job, under the same Resend pace as every other email.
    const alertJob = events.filter((event) => event.url.endsWith("/api/jobs/dlq-alert"));
    expect(alertJob.length).toBeGreaterThan(0);
    expect(new Set(alertJob.map((event) => event.flowControlKey))).toEqual(new Set([EMAIL_PACE.key]));
  });

  test("Resend down: retries run out, and the alert waits for Resend through the alert job's own retries", async () => {
    running.stack.resend.faults.set({ status: 500 });
    const { messageId } = await running.app.services.queue.enqueue(welcomeEmail, {
      userId: "usr_down",
      email: "bob@example.com",
      name: "Bob",
    });
    await running.stack.qstash.idle();
    // welcome-email retries 3 times (after 1, 2 and 4 s); then the failure callback publishes the alert, whose send fails too.
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
