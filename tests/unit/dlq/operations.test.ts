import { Client } from "@upstash/qstash";
import { beforeEach, describe, expect, test } from "vitest";
import { ACTION_CHUNK, deleteEntries, getDlqEntry, listDlq, resolveSelection, retryEntries } from "@/lib/dlq/operations";
import { failedTestJob, fakeQStash } from "./fake-qstash";
import { setupMsw } from "../../helpers/msw";

const QSTASH = "http://qstash.test";
const fake = fakeQStash(QSTASH, { pageSize: 10 });
setupMsw(...fake.handlers);
beforeEach(() => {
  fake.state.dlq = [];
  fake.state.retried = [];
  fake.state.requests = [];
});

const client = new Client({ baseUrl: QSTASH, token: "test-token", enableTelemetry: false });

describe("listDlq", () => {
  test("filters by job through the label and decodes each entry", async () => {
    fake.state.dlq = [
      failedTestJob(1),
      failedTestJob(2, { url: "https://app.test/api/jobs/welcome-email", label: "welcome-email", labels: ["welcome-email"] }),
    ];
    const page = await listDlq(client, { filter: { job: "welcome-email" } });
    expect(page.entries.map((entry) => entry.dlqId)).toEqual(["dlq_2"]);
    expect(fake.state.requests[0]!.query).toContain("label=welcome-email");
    expect(page.cursor).toBeUndefined();
  });

  test("drops entries whose URL names another job even if a label matched", async () => {
    fake.state.dlq = [failedTestJob(1, { labels: ["test", "welcome-email"] })];
    expect((await listDlq(client, { filter: { job: "welcome-email" } })).entries).toEqual([]);
  });

  test("passes status and time range and hands back the cursor", async () => {
    fake.state.dlq = Array.from({ length: 15 }, (_, index) => failedTestJob(index));
    const first = await listDlq(client, { filter: { status: 489, fromDate: 1, toDate: 9_999_999_999_999 } });
    expect(first.entries).toHaveLength(10);
    expect(first.cursor).toBe("10");
    const query = new URLSearchParams(fake.state.requests[0]!.query);
    expect([query.get("responseStatus"), query.get("fromDate"), query.get("toDate")]).toEqual(["489", "1", "9999999999999"]);
    const second = await listDlq(client, { cursor: first.cursor });
    expect(second.entries).toHaveLength(5);
    expect(second.cursor).toBeUndefined();
  });
});

test("getDlqEntry returns the detail, or null once it is gone", async () => {
  fake.state.dlq = [failedTestJob(7)];
  expect(await getDlqEntry(client, "dlq_7")).toMatchObject({
    reason: "test job asked to fail: boom 7",
    payload: { message: "boom 7" },
  });
  expect(await getDlqEntry(client, "dlq_missing")).toBeNull();
});

describe("bulk actions", () => {
  test("a filter resolves every page before acting, bounded by the limit", async () => {
    fake.state.dlq = Array.from({ length: 25 }, (_, index) => failedTestJob(index));
    expect(await resolveSelection(client, { filter: { job: "test" } })).toHaveLength(25);
    expect(await resolveSelection(client, { all: true }, 12)).toHaveLength(12);
  });

  test("retries in chunks, reports progress and pairs new message ids with entries", async () => {
    fake.state.dlq = Array.from({ length: ACTION_CHUNK + 5 }, (_, index) => failedTestJob(index));
    const entries = await resolveSelection(client, { all: true });
    const progress: Array<[number, number]> = [];
    const outcome = await retryEntries(client, entries, ({ done, total }) => progress.push([done, total]));
    expect(outcome.failed).toEqual([]);
    expect(outcome.retried).toHaveLength(ACTION_CHUNK + 5);
    expect(outcome.retried[0]).toEqual({ dlqId: "dlq_0", jobName: "test", messageId: expect.stringMatching(/^msg_/) });
    expect(progress).toEqual([
      [ACTION_CHUNK, ACTION_CHUNK + 5],
      [ACTION_CHUNK + 5, ACTION_CHUNK + 5],
    ]);
    expect(fake.state.dlq).toEqual([]);
  });

  test("a failing chunk is reported, not thrown", async () => {
    fake.state.dlq = [failedTestJob(1)];
    fake.state.failNextRetry = true;
    const outcome = await retryEntries(client, [{ dlqId: "dlq_1", jobName: "test" }]);
    expect(outcome.retried).toEqual([]);
    expect(outcome.failed).toEqual([{ dlqId: "dlq_1", error: expect.stringContaining("temporarily unavailable") }]);
  });

  test("deletes by id", async () => {
    fake.state.dlq = [failedTestJob(1), failedTestJob(2), failedTestJob(3)];
    const outcome = await deleteEntries(client, [{ dlqId: "dlq_1" }, { dlqId: "dlq_3" }]);
    expect(outcome).toEqual({ deleted: 2, failed: [] });
    expect(fake.state.dlq.map((message) => message.dlqId)).toEqual(["dlq_2"]);
  });
});
