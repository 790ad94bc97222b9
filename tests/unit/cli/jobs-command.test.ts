import { expect, test } from "vitest";
import { markDead, recordQueued, createRedis } from "@/lib/job-runtime";
import { runJobsCommand } from "@/scripts/lib/jobs-command";
import { captureIo } from "./capture-io";
import { setupMemoryRedis } from "../../helpers/msw";
import { fakeQStash } from "../dlq/fake-qstash";

const REDIS = "http://redis.test";
const QSTASH = "http://qstash.test";
const qstash = fakeQStash(QSTASH);
setupMemoryRedis(REDIS, ...qstash.handlers);

const env = { UPSTASH_REDIS_REST_URL: REDIS, UPSTASH_REDIS_REST_TOKEN: "t", QSTASH_URL: QSTASH, QSTASH_TOKEN: "q" };
const redis = createRedis(env);
const T = Date.UTC(2026, 0, 15, 9);

async function run(argv: string[]) {
  const capture = captureIo({ env });
  const code = await runJobsCommand(argv, capture.io);
  return { code, stdout: capture.stdout, stderr: capture.stderr };
}

test("status prints the run record, pointing at the DLQ entry", async () => {
  await recordQueued(redis, { messageId: "msg_1", jobName: "test", deduplicated: false }, T);
  await markDead(
    redis,
    { messageId: "msg_1", jobName: "test", error: "489: test job asked to fail: boom", dlqId: "dlq_1" },
    T + 5000,
  );
  const { code, stdout } = await run(["status", "msg_1"]);
  expect(code).toBe(0);
  expect(stdout).toMatch(/Status\s+dead/);
  expect(stdout).toMatch(/Queued\s+2026-01-15 09:00:00Z/);
  expect(stdout).toMatch(/Last error\s+489: test job asked to fail: boom/);
  expect(stdout).toContain("npm run dlq -- show dlq_1");

  const json = await run(["status", "msg_1", "--json"]);
  expect(JSON.parse(json.stdout).run).toMatchObject({ messageId: "msg_1", status: "dead", dlqId: "dlq_1" });
});

test("a message no delivery has reached yet shows as queued, from QStash", async () => {
  qstash.state.pending = [
    { messageId: "msg_wait", url: "https://app.test/api/jobs/welcome-email", createdAt: T, notBefore: T + 60_000 },
  ];
  try {
    const { code, stdout } = await run(["status", "msg_wait"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/Job\s+welcome-email/);
    expect(stdout).toMatch(/Status\s+queued/);
    expect(stdout).toMatch(/Not before\s+2026-01-15 09:01:00Z/);
  } finally {
    qstash.state.pending = [];
  }
});

test("an unknown message exits 1; bad usage exits 2", async () => {
  expect(await run(["status", "msg_unknown"])).toMatchObject({ code: 1, stderr: expect.stringContaining("no run recorded") });
  expect((await run(["status"])).code).toBe(2);
  expect((await run(["nope"])).code).toBe(2);
  expect((await run(["recent", "--limit", "0"])).code).toBe(2);
});

test("recent lists runs newest first", async () => {
  await recordQueued(redis, { messageId: "msg_a", jobName: "test", deduplicated: false }, T);
  await recordQueued(redis, { messageId: "msg_b", jobName: "welcome-email", deduplicated: false }, T + 1);
  const { stdout } = await run(["recent"]);
  const lines = stdout.trim().split("\n");
  expect(lines[0]).toMatch(/^MESSAGE ID\s+JOB\s+STATUS/);
  expect(lines[1]).toMatch(/^msg_b\s+welcome-email\s+queued/);
  expect(lines[2]).toMatch(/^msg_a\s+test\s+queued/);
});
