import { describe, expect, test } from "vitest";
import { dlqFilterInputSchema, isEmptyFilter, matchesFilter, toClientFilter } from "@/lib/dlq/filters";

describe("dlqFilterInputSchema", () => {
  test("parses job, status and ISO or epoch-ms dates", () => {
    expect(
      dlqFilterInputSchema.parse({ job: "welcome-email", status: "489", from: "2026-01-01T00:00:00Z", to: "1767312000000" }),
    ).toEqual({
      job: "welcome-email",
      status: 489,
      fromDate: Date.UTC(2026, 0, 1),
      toDate: 1_767_312_000_000,
    });
    expect(dlqFilterInputSchema.parse({})).toEqual({});
  });

  test("reads a date-time without a zone (a datetime-local field, posted without JavaScript) as UTC", () => {
    expect(dlqFilterInputSchema.parse({ from: "2026-03-01T09:30", to: "2026-03-01T10:00:15" })).toEqual({
      fromDate: Date.UTC(2026, 2, 1, 9, 30),
      toDate: Date.UTC(2026, 2, 1, 10, 0, 15),
    });
    expect(dlqFilterInputSchema.parse({ from: "2026-03-01T09:30+02:00" })).toEqual({ fromDate: Date.UTC(2026, 2, 1, 7, 30) });
  });

  test("rejects what QStash would misread", () => {
    expect(dlqFilterInputSchema.safeParse({ job: "Not A Job" }).success).toBe(false);
    expect(dlqFilterInputSchema.safeParse({ status: "abc" }).success).toBe(false);
    expect(dlqFilterInputSchema.safeParse({ from: "yesterday" }).success).toBe(false);
    expect(dlqFilterInputSchema.safeParse({ from: "2026-02-01", to: "2026-01-01" }).success).toBe(false);
    expect(dlqFilterInputSchema.safeParse({ label: "x" }).success).toBe(false);
  });
});

test("toClientFilter maps the job to the label QStash filters on", () => {
  expect(toClientFilter({})).toBeUndefined();
  expect(toClientFilter({ job: "test", status: 489, fromDate: 1, toDate: 2 })).toEqual({
    label: "test",
    responseStatus: 489,
    fromDate: 1,
    toDate: 2,
  });
  expect(isEmptyFilter({})).toBe(true);
  expect(isEmptyFilter({ status: 500 })).toBe(false);
});

test("matchesFilter guards bulk actions against a wider server answer", () => {
  const entry = { jobName: "test", responseStatus: 489 };
  expect(matchesFilter(entry, {})).toBe(true);
  expect(matchesFilter(entry, { job: "test", status: 489 })).toBe(true);
  expect(matchesFilter(entry, { job: "welcome-email" })).toBe(false);
  expect(matchesFilter(entry, { status: 500 })).toBe(false);
});
