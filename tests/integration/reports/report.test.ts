import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { welcomeEmail } from "@/lib/jobs/welcome-email";
import { createOrg } from "@/lib/orgs/store";
import { requestReport } from "@/lib/flows/request-report";
import { getReport } from "@/lib/reports/store";
import { createUser } from "@/lib/users/store";
import { startTestApp, type TestApp } from "../../../harness/app";
import { startTestStack, type TestStack } from "../../../harness/stack";

let stack: TestStack;
let app: TestApp;

beforeAll(async () => {
  stack = await startTestStack();
  app = await startTestApp(stack, { services: { clock: { now: () => stack.clock.now() } } });
});
afterAll(async () => {
  await app?.close();
  await stack?.close();
});
beforeEach(async () => {
  stack.qstash.reset();
  stack.resend.reset();
  await stack.redis.flush();
});

describe("generate-report", () => {
  test("aggregates the organisation's email log, stores the result and emails its link", async () => {
    const created = await createUser(
      app.services.redis,
      { email: "ada@example.com", name: "Ada", password: "correct horse", locale: "en", timeZone: "UTC" },
      stack.clock.now(),
    );
    if (!created.ok) throw new Error("no user");
    const { user } = created;
    const org = await createOrg(app.services.redis, { name: "Acme Ltd", ownerId: user.id }, stack.clock.now());
    // Real job emails first, so the report has something to count.
    await app.services.queue.enqueue(welcomeEmail, { userId: user.id, email: user.email, name: user.name });
    await stack.qstash.idle();

    const first = await requestReport(app.services, { orgId: org.id, userId: user.id, periodDays: 30 });
    const second = await requestReport(app.services, { orgId: org.id, userId: user.id, periodDays: 7 });
    if (!first.ok || !second.ok) throw new Error("not requested");
    expect((await app.qstash.messages.get(first.messageId)).flowControlKey).toBe(`report:${org.id}`);
    await stack.qstash.idle();

    const report = await getReport(app.services.redis, first.reportId);
    expect(report).toMatchObject({ status: "ready", orgName: "Acme Ltd", periodDays: 30 });
    expect(report!.result!.emails).toMatchObject({ total: 1, sent: 1, byJob: [{ job: "welcome-email", sent: 1 }] });
    expect(report!.result!.runs).toMatchObject({ total: 1, byStatus: { succeeded: 1 } });
    expect(await getReport(app.services.redis, second.reportId)).toMatchObject({ status: "ready" });

    const links = stack.resend.emails().filter((email) => email.subject === "Your Acme Ltd report is ready");
    expect(links).toHaveLength(2);
    expect(links.map((email) => email.text)).toEqual(
      expect.arrayContaining([expect.stringContaining(`${app.url}/reports/${first.reportId}`)]),
    );
  });
});
