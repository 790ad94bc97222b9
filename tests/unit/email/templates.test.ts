import { describe, expect, test } from "vitest";
import { dlqAlertEmail, payloadExcerpt, PAYLOAD_EXCERPT_LIMIT } from "@/lib/email/templates/dlq-alert";
import { inviteEmail } from "@/lib/email/templates/invite";
import { notificationEmail } from "@/lib/email/templates/notification";
import { purchaseConfirmationEmail } from "@/lib/email/templates/purchase-confirmation";
import type { RenderedEmail } from "@/lib/email/templates/render";
import { refundNotificationEmail } from "@/lib/email/templates/refund-notification";
import { reminderEmail } from "@/lib/email/templates/reminder";
import { reportReadyEmail } from "@/lib/email/templates/report-ready";
import { signInNotificationEmail } from "@/lib/email/templates/sign-in-notification";
import { welcomeEmail } from "@/lib/email/templates/welcome";

const APP = "https://app.test";
const AT = Date.UTC(2026, 0, 15, 9, 5);

/** A string that is markup if a template forgets to escape it, in element content and in attributes. */
const HOSTILE = `<img src=x onerror="alert(1)">'&`;
const HOSTILE_ESCAPED = "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&#x27;&amp;";

/** Every template, rendered with `value` in each field a user (or a failing job) controls. */
const templates: Record<string, (value: string) => Promise<RenderedEmail>> = {
  welcome: (name) => welcomeEmail({ name, appUrl: APP }),
  invite: (value) =>
    inviteEmail({ orgName: value, inviterName: value, email: "bat@example.com", acceptUrl: `${APP}/invite/tok`, expiresAt: AT }),
  "sign-in notification (en)": (value) =>
    signInNotificationEmail({
      name: value,
      locale: "en",
      timeZone: "UTC",
      signedInAt: AT,
      ip: value,
      userAgent: value,
      appUrl: APP,
    }),
  "sign-in notification (mn)": (value) =>
    signInNotificationEmail({
      name: value,
      locale: "mn",
      timeZone: "UTC",
      signedInAt: AT,
      ip: value,
      userAgent: value,
      appUrl: APP,
    }),
  "purchase confirmation": (value) =>
    purchaseConfirmationEmail({
      name: value,
      purchaseId: "pur_1",
      amountCents: 1200,
      currency: "USD",
      items: [{ description: value, quantity: 1, amountCents: 1200 }],
      purchasedAt: AT,
      appUrl: APP,
    }),
  refund: (value) =>
    refundNotificationEmail({
      name: value,
      refundId: "ref_1",
      purchaseId: "pur_1",
      amountCents: 500,
      currency: "USD",
      reason: value,
      refundedAt: AT,
    }),
  reminder: (value) => reminderEmail({ name: value, title: value, startsAt: AT, timeZone: "UTC", appUrl: APP }),
  "report ready": (value) => reportReadyEmail({ name: value, orgName: value, periodDays: 7, reportUrl: `${APP}/reports/rep_1` }),
  notification: (value) => notificationEmail({ name: value, title: value, body: value, url: `${APP}/x`, appUrl: APP }),
  "DLQ alert": (value) =>
    dlqAlertEmail({
      jobName: value,
      messageId: "msg_1",
      dlqId: "dlq_1",
      status: 500,
      reason: value,
      payload: { note: value },
      retried: 2,
      appUrl: APP,
    }),
};

describe.each(Object.entries(templates))("%s", (_name, render) => {
  test("escapes user-controlled strings in the HTML and keeps them verbatim in the text", async () => {
    const email = await render(HOSTILE);
    expect(email.html).not.toContain("<img");
    expect(email.html).toContain(HOSTILE_ESCAPED);
    expect(email.text).toContain(HOSTILE);
  });

  test("has a readable plain-text part: no markup, entities or preview filler", async () => {
    const email = await render("Ada");
    expect(email.html).toMatch(/^<!DOCTYPE html/);
    expect(email.text.length).toBeGreaterThan(40);
    expect(email.text).not.toMatch(/<\/?[a-z][^>]*>|&[a-z#0-9]+;|data-text|\u200b|\u200c|\u200d|\ufeff|\u034f/i);
    expect(email.text).not.toMatch(/\n{3,}/);
    expect(email.text).toContain("Ada");
  });

  test("is a pure function of its input: the same bytes every time", async () => {
    expect(await render("Ada")).toEqual(await render("Ada"));
  });
});

describe("content", () => {
  test("welcome", async () => {
    const email = await welcomeEmail({ name: "Ada", appUrl: APP });
    expect(email.subject).toBe("Welcome, Ada!");
    expect(email.text).toBe(["Welcome, Ada!", "", "Your account is ready. Sign in any time at https://app.test."].join("\n"));
    expect(email.html).toContain('<a href="https://app.test"');
    expect(email.html).toContain("<title>Welcome, Ada!</title>");
  });

  test("purchase confirmation: one line per item, the total, the date in UTC", async () => {
    const email = await purchaseConfirmationEmail({
      name: "Ada",
      purchaseId: "pur_1",
      amountCents: 123456,
      currency: "USD",
      items: [
        { description: "Team plan", quantity: 1, amountCents: 120000 },
        { description: "Extra seat", quantity: 2, amountCents: 3456 },
      ],
      purchasedAt: AT,
      appUrl: APP,
    });
    expect(email.subject).toBe("Your receipt for order pur_1");
    expect(email.text).toBe(
      [
        "Thanks for your purchase",
        "",
        "Hi Ada,",
        "",
        "We received your payment of $1,234.56 on Thursday, 15 January 2026 at 09:05 (UTC).",
        "",
        "Team plan × 1: $1,200.00",
        "Extra seat × 2: $34.56",
        "Total: $1,234.56",
        "",
        "Order pur_1. Every email we send you is listed at https://app.test/account/emails.",
      ].join("\n"),
    );
  });

  test("refund: the reason only when there is one", async () => {
    const input = { refundId: "ref_1", purchaseId: "pur_1", amountCents: 3456, currency: "USD", refundedAt: AT };
    const withReason = await refundNotificationEmail({ ...input, reason: "Duplicate charge" });
    expect(withReason.subject).toBe("Your refund of $34.56 is on its way");
    expect(withReason.text).toContain("Hi,\n\nWe refunded $34.56 for order pur_1 on Thursday, 15 January 2026 at 09:05 (UTC).");
    expect(withReason.text).toContain("Reason: Duplicate charge");
    expect(withReason.text).toContain("Refund reference ref_1.");
    expect((await refundNotificationEmail(input)).text).not.toContain("Reason");
  });

  test("reminder: the start in the reader's zone", async () => {
    const email = await reminderEmail({ name: "Ada", title: "Standup", startsAt: AT, timeZone: "Asia/Ulaanbaatar", appUrl: APP });
    expect(email.subject).toBe("Reminder: Standup starts in 1 hour");
    expect(email.text).toBe(
      [
        "Standup",
        "",
        "Hi Ada, this is your reminder: Standup starts Thursday, 15 January 2026 at 17:05 (Asia/Ulaanbaatar).",
        "",
        "See your events: https://app.test/events",
      ].join("\n"),
    );
  });

  test("report ready: the button reads as 'label: URL' in the text part", async () => {
    const email = await reportReadyEmail({
      name: "Ada",
      orgName: "Nomad Labs",
      periodDays: 7,
      reportUrl: `${APP}/reports/rep_1`,
    });
    expect(email.subject).toBe("Your Nomad Labs report is ready");
    expect(email.text).toContain("View the report: https://app.test/reports/rep_1");
    expect(email.html).toContain('href="https://app.test/reports/rep_1"');
  });

  test("notification: keeps the body's line breaks in both parts; the link only when there is one", async () => {
    const email = await notificationEmail({
      name: "Ada",
      title: "Export ready",
      body: "Line one\nLine two",
      url: `${APP}/r/1`,
      appUrl: APP,
    });
    expect(email.subject).toBe("Export ready");
    expect(email.text).toBe(
      [
        "Export ready",
        "",
        "Hi Ada,",
        "",
        "Line one",
        "Line two",
        "",
        "Open: https://app.test/r/1",
        "",
        "All your notifications: https://app.test/notifications",
      ].join("\n"),
    );
    expect(email.html).toContain("Line one</span><span><br/>Line two");
    const noLink = await notificationEmail({ name: "Ada", title: "Hi", body: "Text", appUrl: APP });
    expect(noLink.text).not.toContain("Open:");
  });

  test("DLQ alert: ids, last answer, payload and how to replay it", async () => {
    const email = await dlqAlertEmail({
      jobName: "welcome-email",
      messageId: "msg_1",
      dlqId: "dlq 1",
      status: 422,
      reason: "Resend 422 validation_error",
      payload: { userId: "usr_1" },
      retried: 0,
      appUrl: APP,
    });
    expect(email.subject).toBe("Job welcome-email failed and is in the dead-letter queue");
    expect(email.text).toBe(
      [
        "Job welcome-email failed and is in the dead-letter queue",
        "",
        "The welcome-email job failed for good and QStash moved it to the dead-letter queue.",
        "",
        "Job: welcome-email",
        "Message id: msg_1",
        "DLQ id: dlq 1",
        "Last answer: HTTP 422 after 1 attempt",
        "Reason: Resend 422 validation_error",
        "",
        "Payload:",
        "",
        "{",
        '  "userId": "usr_1"',
        "}",
        "",
        "Inspect and replay it: https://app.test/admin?dlq=dlq%201",
        "or from a terminal: npm run dlq -- retry dlq 1",
        "",
        "You get one email per failed message.",
      ].join("\n"),
    );
    expect(email.html).toContain('href="https://app.test/admin?dlq=dlq%201"');
  });

  test("DLQ alert without a DLQ id points at the job's list", async () => {
    const email = await dlqAlertEmail({
      jobName: "x",
      messageId: "m",
      dlqId: "",
      status: 500,
      reason: "r",
      payload: "",
      retried: 3,
      appUrl: APP,
    });
    expect(email.text).toContain("DLQ id: (not reported)");
    expect(email.text).toContain("Last answer: HTTP 500 after 4 attempts");
    expect(email.text).toContain("Inspect and replay it: https://app.test/admin\n");
    expect(email.text).toContain("npm run dlq -- list --job x");
    expect(email.text).toContain("(empty)");
  });

  test("DLQ alert payload excerpts are bounded", () => {
    const long = payloadExcerpt({ blob: "x".repeat(5000) });
    expect(long.length).toBe(PAYLOAD_EXCERPT_LIMIT + "\n… (truncated)".length);
    expect(payloadExcerpt("raw text")).toBe("raw text");
  });
});
