import type { Schedule } from "@upstash/qstash";
import { describe, expect, test } from "vitest";
import { cleanupData } from "@/lib/jobs/cleanup-data";
import { notification } from "@/lib/jobs/notification";
import { EMAIL_PACE, resendRateFrom } from "@/lib/email/pace";
import { desiredSchedules, MANAGED_LABEL, scheduleDefinitions, type ScheduleDefinition } from "@/lib/flows/schedules";
import { compareSchedule, formatPlan, planIsEmpty, planScheduleSync } from "@/lib/schedules/sync";

const APP = "https://app.test";
const desired = desiredSchedules(scheduleDefinitions({ timeZone: "Asia/Ulaanbaatar" }), APP);

/** What QStash reports for a schedule created from `request` (the fields the sync compares). */
function asStored(request: (typeof desired)[number], overrides: Partial<Schedule> = {}): Schedule {
  return {
    scheduleId: request.scheduleId,
    cron: request.cron,
    createdAt: 1,
    destination: request.destination,
    method: "POST",
    body: request.body,
    retries: request.retries,
    isPaused: false,
    ...(request.retryDelay && { retryDelayExpression: request.retryDelay }),
    ...(request.flowControl && { flowControlKey: request.flowControl.key, parallelism: request.flowControl.parallelism }),
    labels: request.label,
    label: request.label[0],
    ...overrides,
  };
}

describe("declared schedules", () => {
  test("cleanup daily at 02:00 in the configured zone, DLQ re-drive every 10 minutes, outbox sweep every minute, through the signed job route", () => {
    expect(
      desired.map(({ scheduleId, cron, destination, retries, body }) => ({ scheduleId, cron, destination, retries, body })),
    ).toEqual([
      {
        scheduleId: "cleanup-data-daily",
        cron: "CRON_TZ=Asia/Ulaanbaatar 0 2 * * *",
        destination: "https://app.test/api/jobs/cleanup-data",
        retries: 2,
        body: "{}",
      },
      {
        scheduleId: "dlq-redrive-every-10-minutes",
        cron: "*/10 * * * *",
        destination: "https://app.test/api/jobs/dlq-redrive",
        retries: 1,
        body: "{}",
      },
      {
        scheduleId: "outbox-sweep-every-minute",
        cron: "* * * * *",
        destination: "https://app.test/api/jobs/outbox-sweep",
        retries: 0,
        body: "{}",
      },
    ]);
    expect(desired[0]).toMatchObject({
      label: ["cleanup-data", MANAGED_LABEL],
      failureCallback: "https://app.test/api/qstash/failure",
      flowControl: { key: "cleanup-data", parallelism: 1 },
      headers: { "Content-Type": "application/json" },
    });
  });

  test("the time zone is configurable and checked", () => {
    expect(desiredSchedules(scheduleDefinitions({ timeZone: "Europe/Berlin" }), APP)[0]!.cron).toBe(
      "CRON_TZ=Europe/Berlin 0 2 * * *",
    );
    expect(() => desiredSchedules(scheduleDefinitions({ timeZone: "Mars/Olympus" }), APP)).toThrow(/unknown time zone/);
  });

  test("a scheduled email job carries the email pace with the configured rate, as when it is published", () => {
    const typed: ScheduleDefinition<typeof notification> = {
      id: "weekly-notification",
      job: notification,
      cron: "0 9 * * 1",
      payload: {
        notificationId: "weekly",
        userId: "u1",
        email: "ada@example.com",
        name: "Ada",
        title: "Weekly",
        body: "Your week",
      },
      description: "a weekly email",
    };
    const weekly = typed as ScheduleDefinition;
    const [paced] = desiredSchedules([weekly], APP, { resendRatePerSecond: 7 });
    expect(paced!.flowControl).toEqual({ key: EMAIL_PACE.key, rate: 7, parallelism: 7, period: 1 });
    expect(paced!.retries).toBeGreaterThanOrEqual(3);
    // Without a configured rate: Resend's default, never an unpaced schedule.
    expect(desiredSchedules([weekly], APP)[0]!.flowControl).toMatchObject({ key: EMAIL_PACE.key, rate: 2, parallelism: 2 });
  });

  test("resendRateFrom reads RESEND_RATE_LIMIT_PER_SECOND with the env's rule and names it when wrong", () => {
    expect(resendRateFrom(undefined)).toBe(2);
    expect(resendRateFrom(" 10 ")).toBe(10);
    expect(() => resendRateFrom("0")).toThrow(/RESEND_RATE_LIMIT_PER_SECOND/);
    expect(() => resendRateFrom("1.5")).toThrow(/RESEND_RATE_LIMIT_PER_SECOND/);
  });

  test("payloads are validated by the job's schema, and typed", () => {
    const bad = {
      id: "x",
      job: cleanupData,
      cron: "* * * * *",
      payload: { maxKeysPerTask: 1 },
      description: "",
    } as ScheduleDefinition;
    expect(() => desiredSchedules([bad], APP)).toThrow(/invalid payload for job "cleanup-data"/);
    const duplicate = scheduleDefinitions({ timeZone: "UTC" });
    expect(() => desiredSchedules([...duplicate, duplicate[0]!], APP)).toThrow(/declared twice/);
    const typed: ScheduleDefinition<typeof cleanupData> = {
      id: "x",
      job: cleanupData,
      cron: "* * * * *",
      // @ts-expect-error maxKeysPerTask is a number
      payload: { maxKeysPerTask: "many" },
      description: "",
    };
    void typed;
  });
});

describe("planScheduleSync (pure)", () => {
  test("nothing in QStash: create all", () => {
    const plan = planScheduleSync(desired, [], MANAGED_LABEL);
    expect(plan.create.map((schedule) => schedule.scheduleId)).toEqual([
      "cleanup-data-daily",
      "dlq-redrive-every-10-minutes",
      "outbox-sweep-every-minute",
    ]);
    expect(planIsEmpty(plan)).toBe(false);
  });

  test("everything as declared: nothing to do (idempotent)", () => {
    const plan = planScheduleSync(
      desired,
      desired.map((request) => asStored(request)),
      MANAGED_LABEL,
    );
    expect(plan).toEqual({
      create: [],
      update: [],
      remove: [],
      unchanged: ["cleanup-data-daily", "dlq-redrive-every-10-minutes", "outbox-sweep-every-minute"],
    });
    expect(formatPlan(plan, false)).toContain("Schedules are up to date (3 unchanged).");
  });

  test("the Vercel bypass secret is compared without being printed: added, rotated or removed is an update", () => {
    const [protectedSchedule] = desiredSchedules(scheduleDefinitions({ timeZone: "Asia/Ulaanbaatar" }), APP, {
      protectionBypassSecret: "s3cret-new",
    });
    expect(protectedSchedule!.headers).toMatchObject({
      "x-vercel-protection-bypass": "s3cret-new",
      "Upstash-Failure-Callback-Forward-x-vercel-protection-bypass": "s3cret-new",
    });
    const stored = (secret?: string) =>
      asStored(protectedSchedule!, secret ? { header: { "X-Vercel-Protection-Bypass": [secret] } } : {});
    expect(compareSchedule(protectedSchedule!, stored())).toEqual([
      { field: "protectionBypass", from: "none", to: "this deployment's secret" },
    ]);
    expect(compareSchedule(protectedSchedule!, stored("s3cret-old"))).toEqual([
      { field: "protectionBypass", from: "another secret", to: "this deployment's secret" },
    ]);
    expect(compareSchedule(protectedSchedule!, stored("s3cret-new"))).toEqual([]);
    expect(compareSchedule(desired[0]!, stored("s3cret-old"))).toEqual([
      { field: "protectionBypass", from: "another secret", to: "none" },
    ]);
    expect(JSON.stringify(compareSchedule(protectedSchedule!, stored("s3cret-old")))).not.toContain("s3cret");
  });

  test("body key order and whitespace don't count; base64 bodies are read", () => {
    const request = { ...desired[0]!, body: JSON.stringify({ b: 1, a: [1, 2] }) };
    expect(compareSchedule(request, asStored(request, { body: '{ "a": [1,2], "b": 1 }' }))).toEqual([]);
    expect(compareSchedule(request, asStored(request, { body: undefined, bodyBase64: btoa('{"a":[1,2],"b":1}') }))).toEqual([]);
  });

  test("a changed cron, destination, body, retries or retry delay is an update listing each field", () => {
    const stored = asStored(desired[0]!, {
      cron: "0 3 * * *",
      destination: "https://old.test/api/jobs/cleanup-data",
      body: '{"maxKeysPerTask":100}',
      retries: 5,
      retryDelayExpression: "1000",
    });
    const plan = planScheduleSync([desired[0]!], [stored], MANAGED_LABEL);
    expect(plan.update).toHaveLength(1);
    expect(plan.update[0]!.changes.map((change) => change.field)).toEqual([
      "cron",
      "destination",
      "body",
      "retries",
      "retryDelay",
    ]);
    expect(plan.update[0]!.changes[0]).toEqual({ field: "cron", from: "0 3 * * *", to: "CRON_TZ=Asia/Ulaanbaatar 0 2 * * *" });
  });

  test("a schedule with our id but without our label is taken over (label added)", () => {
    const stored = asStored(desired[0]!, { labels: ["cleanup-data"], label: "cleanup-data" });
    expect(planScheduleSync([desired[0]!], [stored], MANAGED_LABEL).update[0]!.changes.map((change) => change.field)).toEqual([
      "label",
    ]);
  });

  test("stale schedules we manage are removed; other people's schedules are left alone", () => {
    const ours = asStored(desired[0]!, { scheduleId: "old-nightly-report", labels: ["generate-report", MANAGED_LABEL] });
    const theirs = asStored(desired[0]!, { scheduleId: "marketing-digest", labels: ["marketing"], label: "marketing" });
    const unlabeled = asStored(desired[0]!, { scheduleId: "scd_manual", labels: undefined, label: undefined });
    const plan = planScheduleSync(
      desired,
      [...desired.map((request) => asStored(request)), ours, theirs, unlabeled],
      MANAGED_LABEL,
    );
    expect(plan.remove.map((schedule) => schedule.scheduleId)).toEqual(["old-nightly-report"]);
    expect(formatPlan(plan, true)).toMatch(/^- old-nightly-report/m);
    expect(formatPlan(plan, true)).toContain("Dry run: 0 to create, 0 to update, 1 to remove, 3 unchanged. Nothing was changed.");
  });
});
