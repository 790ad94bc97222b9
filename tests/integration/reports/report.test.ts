import { describe, expect, onTestFinished, test } from "vitest";
import { EMAIL_PACE } from "@/lib/email/pace";
import type { LogEvent } from "@/local/qstash/log";
import { welcomeEmail } from "@/lib/jobs/welcome-email";
import { createOrg } from "@/lib/orgs/store";
import { requestReport } from "@/lib/flows/request-report";
import { getReport } from "@/lib/reports/store";
import { createUser } from "@/lib/users/store";
import { setupStackAndApp } from "../../helpers/stack-and-app";

const running = setupStackAndApp({ stackClock: true, reset: ["qstash", "resend", "redis"] });

describe("generate-report", () => {
  test("aggregates the organisation's email log, stores the result and emails its link through the paced email job", async () => {
    const created = await createUser(
      running.app.services.redis,
      { email: "ada@example.com", name: "Ada", password: "correct horse", locale: "en", timeZone: "UTC" },
      running.stack.clock.now(),
    );
    if (!created.ok) throw new Error("no user");
    const { user } = created;
    const org = await createOrg(running.app.services.redis, { name: "Acme Ltd", ownerId: user.id }, running.stack.clock.now());
    // Real job emails first, so the report has something to count.
    await running.app.services.queue.enqueue(welcomeEmail, { userId: user.id, email: user.email, name: user.name });
    await running.stack.qstash.idle();

    // The stack's event log: a message may be delivered (and gone from QStash) before it could be read back.
    const events: LogEvent[] = [];
    const onEvent = (event: LogEvent) => void events.push(event);
    running.stack.qstash.events.on("event", onEvent);
    onTestFinished(() => void running.stack.qstash.events.off("event", onEvent));
    const first = await requestReport(running.app.services, { orgId: org.id, userId: user.id, periodDays: 30 });
    const second = await requestReport(running.app.services, { orgId: org.id, userId: user.id, periodDays: 7 });
    if (!first.ok || !second.ok) throw new Error("not requested");
    await running.stack.qstash.idle();
    expect(events.find((event) => event.messageId === first.messageId)?.flowControlKey).toBe(`report:${org.id}`);

    const report = await getReport(running.app.services.redis, first.reportId);
    expect(report).toMatchObject({ status: "ready", orgName: "Acme Ltd", periodDays: 30 });
    expect(report!.result!.emails).toMatchObject({ total: 1, sent: 1, byJob: [{ job: "welcome-email", sent: 1 }] });
    expect(report!.result!.runs).toMatchObject({ total: 1, byStatus: { succeeded: 1 } });
    expect(await getReport(running.app.services.redis, second.reportId)).toMatchObject({ status: "ready" });

    // The links go out as paced email jobs: the welcome email took a slot of this second's pace.
    await running.stack.qstash.advance(1_000);
    await running.stack.qstash.idle();
    const links = running.stack.resend.emails().filter((email) => email.subject === "Your Acme Ltd report is ready");
    expect(links).toHaveLength(2);
    expect(links.map((email) => email.text)).toEqual(
      expect.arrayContaining([expect.stringContaining(`${running.app.url}/reports/${first.reportId}`)]),
    );
    // Sent by the email job (its tag), not by generate-report under the organisation's flow-control key.
    expect(links.map((email) => email.tags)).toEqual([
      [{ name: "job", value: "report-ready-email" }],
      [{ name: "job", value: "report-ready-email" }],
    ]);
    const emailJobKeys = events
      .filter((event) => event.url.endsWith("/api/jobs/report-ready-email"))
      .map((e) => e.flowControlKey);
    expect(new Set(emailJobKeys)).toEqual(new Set([EMAIL_PACE.key]));
  });
});
