import { beforeEach, describe, expect, test } from "vitest";
import { runDlqCommand } from "@/scripts/lib/dlq-command";
import { failedTestJob, fakeQStash } from "../dlq/fake-qstash";
import { captureIo } from "./capture-io";
import { setupMsw } from "../../helpers/msw";

const QSTASH = "http://qstash.test";
const fake = fakeQStash(QSTASH, { pageSize: 10 });
setupMsw(...fake.handlers);
beforeEach(() => {
  fake.state.dlq = [
    failedTestJob(1),
    failedTestJob(2),
    failedTestJob(3, { url: "https://app.test/api/jobs/welcome-email", labels: ["welcome-email"], body: '{"userId":"u1"}' }),
  ];
  fake.state.retried = [];
  fake.state.requests = [];
});

const env = { QSTASH_URL: QSTASH, QSTASH_TOKEN: "cli-token" };
const noNetwork = (async () => {
  throw new Error("no probe expected");
}) as typeof fetch;

async function run(argv: string[], options: Parameters<typeof captureIo>[0] = {}) {
  const capture = captureIo({ env, ...options });
  const code = await runDlqCommand(argv, capture.io, { fetch: noNetwork });
  return { code, stdout: capture.stdout, stderr: capture.stderr, prompts: capture.prompts };
}

describe("usage", () => {
  test.each([
    [[]],
    [["frobnicate"]],
    [["list", "--bogus"]],
    [["list", "--status", "abc"]],
    [["show"]],
    [["retry"]],
    [["retry", "dlq_1", "--all"]],
    [["delete", "--all", "--job", "test"]],
  ])("%j exits 2 with the usage text", async (argv) => {
    const outcome = await run(argv);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain("Usage: npm run dlq");
    expect(fake.state.requests).toEqual([]);
  });

  test("--help exits 0", async () => {
    expect(await run(["--help"])).toMatchObject({
      code: 0,
      stdout: expect.stringContaining("Exit codes: 0 ok, 1 error, 2 usage."),
    });
  });
});

describe("list and show", () => {
  test("prints a table with job, status, reason and payload, using the token", async () => {
    const { code, stdout } = await run(["list"]);
    expect(code).toBe(0);
    const lines = stdout.split("\n");
    expect(lines[0]).toMatch(/^DLQ ID\s+JOB\s+STATUS\s+PUBLISHED\s+REASON\s+PAYLOAD$/);
    expect(stdout).toMatch(/dlq_1\s+test\s+489\s+2026-01-01 00:00:01Z\s+test job asked to fail: boom 1/);
    expect(stdout).toContain('{"message":"boom 1","failWith":"non-retryable"}');
    expect(stdout).toContain("3 messages");
    expect(fake.state.requests[0]!.authorization).toBe("Bearer cli-token");
  });

  test("--job filters and --json prints decoded entries", async () => {
    const { code, stdout } = await run(["list", "--job", "welcome-email", "--json"]);
    expect(code).toBe(0);
    const parsed = JSON.parse(stdout) as { messages: Array<{ dlqId: string; payload: unknown }> };
    expect(parsed.messages).toEqual([expect.objectContaining({ dlqId: "dlq_3", payload: { userId: "u1" } })]);
  });

  test("an empty queue says so", async () => {
    fake.state.dlq = [];
    expect((await run(["list"])).stdout).toBe("The dead-letter queue is empty.\n");
  });

  test("show decodes one; an unknown id exits 1", async () => {
    const { code, stdout } = await run(["show", "dlq_2"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/Reason\s+test job asked to fail: boom 2/);
    expect(stdout).toContain('"message": "boom 2"');
    expect(stdout).toContain("Content-Type: application/json");
    const missing = await run(["show", "dlq_nope"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("no DLQ message dlq_nope");
  });
});

describe("retry and delete", () => {
  test("retrying named ids needs no confirmation and prints the new message ids", async () => {
    const { code, stdout } = await run(["retry", "dlq_1"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/dlq_1\s+test\s+msg_\d+/);
    expect(fake.state.retried).toEqual(["dlq_1"]);
  });

  test("a bulk retry asks on a terminal, and a 'no' changes nothing", async () => {
    const declined = await run(["retry", "--job", "test"], { tty: true, answers: ["n"] });
    expect(declined.code).toBe(1);
    expect(declined.prompts).toEqual(["Retry 2 messages (test)? [y/N] "]);
    expect(fake.state.retried).toEqual([]);

    const accepted = await run(["retry", "--job", "test"], { tty: true, answers: ["yes"] });
    expect(accepted.code).toBe(0);
    expect(fake.state.retried).toEqual(["dlq_1", "dlq_2"]);
    expect(accepted.stderr).toContain("2/2");
  });

  test("without a terminal a bulk action needs --yes, and gets no progress bar", async () => {
    const refused = await run(["delete", "--all"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("Pass --yes");
    expect(fake.state.dlq).toHaveLength(3);

    const done = await run(["delete", "--all", "--yes", "--json"]);
    expect(done.code).toBe(0);
    expect(JSON.parse(done.stdout)).toEqual({ matched: 3, deleted: 3, failed: [] });
    expect(done.stderr).toBe("");
  });

  test("even one delete is confirmed; unknown ids are reported", async () => {
    expect((await run(["delete", "dlq_1"])).code).toBe(2);
    const partial = await run(["delete", "dlq_1", "dlq_gone", "-y"]);
    expect(partial.code).toBe(0);
    expect(partial.stderr).toContain("not in the DLQ (already retried or deleted?): dlq_gone");
    expect(partial.stdout).toBe("Deleted 1 of 1.\n");
    expect((await run(["retry", "dlq_gone"])).code).toBe(1);
  });

  test("a QStash failure during a retry exits 1 and names the id", async () => {
    fake.state.failNextRetry = true;
    const outcome = await run(["retry", "dlq_2"]);
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toContain("failed dlq_2");
  });
});

test("no credentials and no local stack: exit 1 with what to set", async () => {
  const capture = captureIo({ env: {} });
  const refusing = (async () => {
    throw new TypeError("fetch failed");
  }) as typeof fetch;
  expect(await runDlqCommand(["list"], capture.io, { fetch: refusing })).toBe(1);
  expect(capture.stderr).toContain("QSTASH_TOKEN is not set");
});
