import { expect, test } from "vitest";
import { requestReport } from "@/lib/flows/request-report";
import { generateReport } from "@/lib/jobs/generate-report";
import { durableQueue } from "@/lib/jobs/outbox";
import { createOrg } from "@/lib/orgs/store";
import { getReport, saveReport } from "@/lib/reports/store";
import { createUser, type User } from "@/lib/users/store";
import { outboxOutage } from "../../helpers/outbox-outage";
import { setupStackAndApp } from "../../helpers/stack-and-app";

// A requested report and the job that builds it are one transaction: a report never
// sits "queued" with no job on the way, whether QStash is down or the process dies.

const running = setupStackAndApp({ stackClock: true, reset: ["qstash", "resend", "redis"] });
const outage = outboxOutage(running);

async function member(email: string): Promise<{ user: User; orgId: string }> {
  const created = await createUser(
    running.app.services.redis,
    { email, name: "Ada", password: "correct horse", locale: "en", timeZone: "UTC" },
    running.stack.clock.now(),
  );
  if (!created.ok) throw new Error("user exists");
  const org = await createOrg(
    running.app.services.redis,
    { name: "Acme Ltd", ownerId: created.user.id },
    running.stack.clock.now(),
  );
  return { user: created.user, orgId: org.id };
}

test("a report requested while QStash refuses publishes shows as queued, and is built and emailed once after", async () => {
  const { user, orgId } = await member("ada@example.com");
  outage.start();
  const requested = await requestReport(running.app.services, { orgId, userId: user.id, periodDays: 7 });
  if (!requested.ok) throw new Error(requested.message);
  expect(requested.messageId).toBeNull();
  expect(await getReport(running.app.services.redis, requested.reportId)).toMatchObject({ status: "queued" });
  expect(await outage.pending()).toBe(1);
  expect(await outage.messages("generate-report", requested.reportId)).toBe(0);

  const [first, second] = await outage.endAndSweep();
  expect(first.published).toHaveLength(1);
  expect(second.published).toEqual([]);
  await running.stack.qstash.advance(10_000);
  expect(await outage.messages("generate-report", requested.reportId)).toBe(1);
  expect(await getReport(running.app.services.redis, requested.reportId)).toMatchObject({ status: "ready" });
  expect(outage.emailsTo("ada@example.com").filter((email) => email.subject === "Your Acme Ltd report is ready")).toHaveLength(1);
});

test("the queued report and its job written, then a crash before the publish: a sweep builds it once", async () => {
  const { user, orgId } = await member("bea@example.com");
  const reportId = `rep_${"b".repeat(32)}`;
  const job = durableQueue(running.app.services).prepare(generateReport, {
    reportId,
    orgId,
    periodDays: 30,
    requestedBy: { userId: user.id, email: user.email, name: user.name },
  });
  // What requestReport writes in its one transaction, and nothing after it.
  await saveReport(
    running.app.services.redis,
    {
      id: reportId,
      orgId,
      orgName: "Acme Ltd",
      requestedBy: user.id,
      periodDays: 30,
      status: "queued",
      createdAt: running.stack.clock.now(),
    },
    job,
  );

  const [first, second] = await outage.endAndSweep();
  expect([...first.published, ...second.published].map((published) => published.entryId)).toEqual([job.id]);
  await running.stack.qstash.advance(10_000);
  expect(await getReport(running.app.services.redis, reportId)).toMatchObject({ status: "ready" });
  expect(outage.emailsTo("bea@example.com").filter((email) => email.subject === "Your Acme Ltd report is ready")).toHaveLength(1);
});
