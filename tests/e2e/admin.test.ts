import { Client } from "@upstash/qstash";
import { describe, expect, test } from "vitest";
import type { CapturedEmail } from "@/local/resend/server";
import { createJobQueue, getRun, createRedis } from "@/lib/job-runtime";
import { testJob } from "@/lib/jobs/test";
import { E2E_ADMIN_TOKEN } from "./support/app";
import { artifactPath } from "./support/browser";
import { setupE2E } from "./support/e2e";

// The operator's path in the production build: a job fails for good, the admin
// gets an email, signs in to /admin, sees the decoded payload and reason, and
// retries it, which delivers it again. Real Chromium, real local stack.

const e2e = setupE2E({ browsers: [{}, { javaScriptEnabled: false }] });
const noJs = () => e2e.browsers[1]!;
const qstash = () => new Client({ baseUrl: e2e.stack.qstash.url, token: e2e.stack.env.QSTASH_TOKEN!, enableTelemetry: false });

const redis = () =>
  createRedis({
    UPSTASH_REDIS_REST_URL: e2e.stack.env.UPSTASH_REDIS_REST_URL!,
    UPSTASH_REDIS_REST_TOKEN: e2e.stack.env.UPSTASH_REDIS_REST_TOKEN!,
  });

function nextAlert(): Promise<CapturedEmail> {
  const already = e2e.stack.resend.emails().find((email) => email.to.includes("ops@acme.test"));
  if (already) return Promise.resolve(already);
  return new Promise((resolve) => {
    const onEmail = (email: CapturedEmail) => {
      if (!email.to.includes("ops@acme.test")) return;
      e2e.stack.resend.events.off("email", onEmail);
      resolve(email);
    };
    e2e.stack.resend.events.on("email", onEmail);
  });
}

async function failTestJob(message: string): Promise<string> {
  const queue = createJobQueue({ client: qstash(), appUrl: e2e.app.url });
  const { messageId } = await queue.enqueue(testJob, { message, failWith: "non-retryable" });
  await e2e.stack.qstash.idle();
  return messageId;
}

describe("admin page in a real browser", () => {
  test("the API refuses anonymous callers and accepts the Bearer token", async () => {
    expect((await fetch(`${e2e.app.url}/api/admin/dlq`)).status).toBe(401);
    const authorized = await fetch(`${e2e.app.url}/api/admin/dlq`, { headers: { authorization: `Bearer ${E2E_ADMIN_TOKEN}` } });
    expect(authorized.status).toBe(200);
  });

  test("a dead test job: alert email, decoded on /admin, retried from the page and delivered again", async () => {
    const alertArrives = nextAlert();
    const messageId = await failTestJob("e2e boom");
    const alert = await alertArrives;
    expect(alert.idempotencyKey).toBe(`dlq-alert/${messageId}`);
    expect(alert.text).toContain("test job asked to fail: e2e boom");
    const link = /(http:\/\/\S+\/admin\?dlq=\S+)/.exec(alert.text ?? "")?.[1];
    expect(link).toBeDefined();

    const page = await e2e.browser.context.newPage();
    // The link from the alert lands on the sign-in form, then on the message.
    await page.goto(link!);
    await page.getByTestId("admin-signin").waitFor();
    await page.getByLabel("Admin token").fill("not-the-admin-token");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("alert").filter({ hasText: "That token is not right." }).waitFor();
    await page.getByLabel("Admin token").fill(E2E_ADMIN_TOKEN);
    await page.getByRole("button", { name: "Sign in" }).click();

    const detail = page.getByTestId("dlq-detail");
    await detail.waitFor();
    expect(await page.getByTestId("dlq-reason").textContent()).toBe("test job asked to fail: e2e boom");
    expect(JSON.parse((await page.getByTestId("dlq-payload").textContent()) ?? "")).toEqual({
      message: "e2e boom",
      failWith: "non-retryable",
    });

    const row = page.locator(`[data-testid="dlq-row"][data-message-id="${messageId}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain("489");
    expect(await row.textContent()).toContain("e2e boom");
    await page.locator(`[data-testid="run-row"][data-message-id="${messageId}"][data-status="dead"]`).waitFor();
    await page.screenshot({ path: artifactPath("admin-dlq.png"), fullPage: true });

    // Retry asks first (an in-page confirm step, not window.confirm).
    await row.getByRole("button", { name: "Retry" }).click();
    await row.getByTestId("confirm").waitFor();
    await page.screenshot({ path: artifactPath("admin-retry-confirm.png"), fullPage: true });
    await row.getByRole("button", { name: "Confirm retry" }).click();
    const notice = page.getByTestId("notice");
    await notice.filter({ hasText: "delivered again as" }).waitFor();
    const replayId = /delivered again as (\S+?)\.?$/.exec((await notice.textContent()) ?? "")?.[1];
    expect(replayId).toMatch(/^msg_/);
    expect(replayId).not.toBe(messageId);

    // Delivered again: the route ran it (still failing on purpose, so it is dead again), and the page shows it.
    await e2e.stack.qstash.idle();
    expect(await getRun(redis(), replayId!)).toMatchObject({ job: "test", attempts: 1, status: "dead" });
    await page.locator(`[data-testid="run-row"][data-message-id="${replayId}"]`).waitFor();
    const replayRow = page.locator(`[data-testid="dlq-row"][data-message-id="${replayId}"]`);
    await replayRow.waitFor();
    await row.waitFor({ state: "detached" });
    await page.screenshot({ path: artifactPath("admin-after-retry.png"), fullPage: true });

    // Delete, also behind a confirm step; cancelling changes nothing.
    await replayRow.getByRole("button", { name: "Delete" }).click();
    await replayRow.getByRole("button", { name: "Cancel" }).click();
    await replayRow.getByRole("button", { name: "Delete" }).click();
    await replayRow.getByRole("button", { name: "Confirm delete" }).click();
    await replayRow.waitFor({ state: "detached" });
    expect((await qstash().dlq.listMessages()).messages).toEqual([]);
    await page.close();
  });

  test("schedules pause and resume from the page; sign-out returns to the sign-in form", async () => {
    const { scheduleId } = await qstash().schedules.create({
      destination: `${e2e.app.url}/api/jobs/test`,
      cron: "0 3 * * *",
      body: JSON.stringify({ message: "nightly" }),
    });
    const page = await e2e.browser.context.newPage();
    await page.goto(`${e2e.app.url}/admin`);
    const row = page.locator(`[data-testid="schedule-row"][data-schedule-id="${scheduleId}"]`);
    await row.waitFor();
    await row.getByRole("button", { name: "Pause" }).click();
    await page.locator(`[data-testid="schedule-row"][data-schedule-id="${scheduleId}"][data-paused="true"]`).waitFor();
    expect((await qstash().schedules.get(scheduleId)).isPaused).toBe(true);
    await page.screenshot({ path: artifactPath("admin-schedules.png"), fullPage: true });
    await row.getByRole("button", { name: "Resume" }).click();
    await page.locator(`[data-testid="schedule-row"][data-schedule-id="${scheduleId}"][data-paused="false"]`).waitFor();
    expect((await qstash().schedules.get(scheduleId)).isPaused).toBe(false);

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByTestId("admin-signin").waitFor();
    expect((await fetch(`${e2e.app.url}/api/admin/dlq`)).status).toBe(401);
    await qstash().schedules.delete(scheduleId);
    await page.close();
  });

  test("without JavaScript: filter, details, retry and delete behind a confirm step, pause a schedule", async () => {
    const first = await failTestJob("no-js one");
    const second = await failTestJob("no-js two");
    const { scheduleId } = await qstash().schedules.create({
      destination: `${e2e.app.url}/api/jobs/test`,
      cron: "0 4 * * *",
      body: JSON.stringify({ message: "no-js nightly" }),
    });
    const page = await noJs().context.newPage();
    await page.goto(`${e2e.app.url}/admin`);
    await page.getByLabel("Admin token").fill(E2E_ADMIN_TOKEN);
    await page.getByRole("button", { name: "Sign in" }).click();
    const rowOf = (messageId: string) => page.locator(`[data-testid="dlq-row"][data-message-id="${messageId}"]`);
    await rowOf(first).waitFor();

    // The filter is a GET form: the server renders the filtered list.
    await page.getByLabel("Job").fill("test");
    await page.getByLabel("Status").fill("489");
    await page.getByRole("button", { name: "Filter" }).click();
    await page.waitForURL(/job=test&status=489/);
    await rowOf(second).waitFor();
    await page.getByLabel("Status").fill("500");
    await page.getByRole("button", { name: "Filter" }).click();
    await page.getByTestId("dlq-empty").waitFor();
    await page.getByLabel("Status").fill("489");
    await page.getByRole("button", { name: "Filter" }).click();

    // Details open from the server.
    await rowOf(first).getByRole("button", { name: "Details" }).click();
    await page.getByTestId("dlq-detail").waitFor();
    expect(await page.getByTestId("dlq-reason").textContent()).toBe("test job asked to fail: no-js one");

    // Retry: a confirm step (its own page), then the server action; the filter survives.
    await rowOf(first).getByRole("button", { name: "Retry" }).click();
    await rowOf(first).getByTestId("confirm").waitFor();
    expect(await qstash().dlq.listMessages()).toMatchObject({ messages: expect.arrayContaining([expect.anything()]) });
    await rowOf(first).getByRole("button", { name: "Confirm retry" }).click();
    await page.getByTestId("notice").filter({ hasText: "delivered again as" }).waitFor();
    expect(page.url()).toContain("job=test");
    const replayId = /delivered again as (\S+?)\.?$/.exec((await page.getByTestId("notice").textContent()) ?? "")?.[1];
    expect(replayId).toMatch(/^msg_/);
    await e2e.stack.qstash.idle();
    expect(await getRun(redis(), replayId!)).toMatchObject({ job: "test", attempts: 1 });

    // Delete: cancel changes nothing; confirm deletes.
    await page.goto(`${e2e.app.url}/admin`);
    await rowOf(second).getByRole("button", { name: "Delete" }).click();
    await rowOf(second).getByRole("button", { name: "Cancel" }).click();
    await rowOf(second).getByRole("button", { name: "Delete" }).click();
    await rowOf(second).getByRole("button", { name: "Confirm delete" }).click();
    await page.getByTestId("notice").filter({ hasText: "Deleted" }).waitFor();
    expect((await qstash().dlq.listMessages()).messages.map((message) => message.messageId)).not.toContain(second);

    // A schedule pauses and resumes from its row.
    const scheduleRow = () => page.locator(`[data-testid="schedule-row"][data-schedule-id="${scheduleId}"]`);
    await scheduleRow().getByRole("button", { name: "Pause" }).click();
    await page.locator(`[data-testid="schedule-row"][data-schedule-id="${scheduleId}"][data-paused="true"]`).waitFor();
    expect((await qstash().schedules.get(scheduleId)).isPaused).toBe(true);

    // A stranger replays the same server action (its id copied from the page) without a session: nothing happens.
    await scheduleRow().getByRole("button", { name: "Resume" }).waitFor();
    const actionFields = await scheduleRow()
      .locator("form input[type=hidden]")
      .evaluateAll((inputs) =>
        inputs.map((input): [string, string] => [(input as HTMLInputElement).name, (input as HTMLInputElement).value]),
      );
    expect(actionFields.some(([name]) => name.startsWith("$ACTION"))).toBe(true);
    // As the browser posts a server-action form: multipart, from the app's own origin.
    const post = (cookie?: string) => {
      const body = new FormData();
      for (const [name, value] of [...actionFields, ["op", "resume"]]) body.append(name!, value!);
      return fetch(`${e2e.app.url}/admin`, {
        method: "POST",
        headers: { origin: e2e.app.url, ...(cookie && { cookie }) },
        body,
        redirect: "manual",
      });
    };
    const stranger = await post();
    expect(stranger.status).toBe(303);
    expect(new URL(stranger.headers.get("location")!, e2e.app.url).search).toBe("");
    expect((await qstash().schedules.get(scheduleId)).isPaused).toBe(true);
    // The same request with the admin's session does resume it: the stranger's was refused, not malformed.
    const session = (await noJs().context.cookies()).find((cookie) => cookie.name === "admin_session");
    expect((await post(`admin_session=${session!.value}`)).status).toBe(303);
    expect((await qstash().schedules.get(scheduleId)).isPaused).toBe(false);
    await qstash().schedules.delete(scheduleId);
    await page.close();
  });
});
