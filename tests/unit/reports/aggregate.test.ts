import { describe, expect, test } from "vitest";
import type { EmailLogEntry } from "@/lib/email-log/store";
import type { JobRun } from "@/lib/job-runtime";
import { aggregateReport } from "@/lib/reports/model";

const email = (overrides: Partial<EmailLogEntry>): EmailLogEntry => ({
  key: "k",
  job: "welcome-email",
  userId: "u1",
  to: "a@example.com",
  subject: "s",
  status: "sent",
  attempts: 1,
  messageId: "m",
  createdAt: 100,
  updatedAt: 100,
  ...overrides,
});
const run = (overrides: Partial<JobRun>): JobRun => ({
  messageId: "m",
  job: "welcome-email",
  status: "succeeded",
  attempts: 1,
  ...overrides,
});

describe("aggregateReport", () => {
  test("counts emails per job inside the period, and run outcomes and durations", () => {
    const result = aggregateReport({
      from: 50,
      to: 500,
      members: 2,
      emails: [
        email({ key: "a", updatedAt: 100 }),
        email({ key: "b", status: "failed", attempts: 3, updatedAt: 200 }),
        email({ key: "c", job: "purchase-confirmation", attempts: 2, updatedAt: 300 }),
        email({ key: "old", updatedAt: 10 }),
        email({ key: "future", updatedAt: 900 }),
      ],
      runs: [
        run({ durationMs: 100 }),
        run({ messageId: "m2", status: "dead", attempts: 4, durationMs: 300 }),
        run({ messageId: "m3", attempts: 2, durationMs: 200 }),
        run({ messageId: "m4", status: "queued" }),
      ],
    });
    expect(result).toEqual({
      from: 50,
      to: 500,
      members: 2,
      emails: {
        total: 3,
        sent: 2,
        failed: 1,
        byJob: [
          { job: "purchase-confirmation", sent: 1, failed: 0, attempts: 2 },
          { job: "welcome-email", sent: 1, failed: 1, attempts: 4 },
        ],
      },
      runs: { total: 4, byStatus: { succeeded: 2, dead: 1, queued: 1 }, retried: 2, avgDurationMs: 200, p95DurationMs: 300 },
    });
  });

  test("an empty organisation has no averages", () => {
    const result = aggregateReport({ from: 0, to: 1, members: 1, emails: [], runs: [] });
    expect(result.emails).toEqual({ total: 0, sent: 0, failed: 0, byJob: [] });
    expect(result.runs).toEqual({ total: 0, byStatus: {}, retried: 0, avgDurationMs: null, p95DurationMs: null });
  });
});
