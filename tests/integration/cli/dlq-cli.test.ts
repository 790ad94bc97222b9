import { spawn } from "node:child_process";
import { describe, expect, test } from "vitest";
import { jobs as registry } from "@/lib/jobs/registry";
import { testJob } from "@/lib/jobs/test";
import { getRun } from "@/lib/job-runtime";
import { runDlqCommand } from "@/scripts/lib/dlq-command";
import { runJobsCommand } from "@/scripts/lib/jobs-command";
import { captureIo } from "../../unit/cli/capture-io";
import { setupStackAndApp } from "../../helpers/stack-and-app";

// `npm run dlq` and `npm run jobs` against the local stack: in-process for most
// cases, and once as a real child process the way an operator runs it.

const running = setupStackAndApp({ app: { registry }, reset: ["qstash"] });

const qstashEnv = (): Record<string, string> => ({
  QSTASH_URL: running.stack.qstash.url,
  QSTASH_TOKEN: running.stack.env.QSTASH_TOKEN!,
});

async function dlq(argv: string[], env: Record<string, string> = qstashEnv(), tty = false) {
  const capture = captureIo({ env, tty, answers: ["y"] });
  const code = await runDlqCommand(argv, capture.io);
  return { code, stdout: capture.stdout, stderr: capture.stderr };
}

async function failTestJob(message: string) {
  const { messageId } = await running.app.services.queue.enqueue(testJob, { message, failWith: "non-retryable" });
  await running.stack.qstash.idle();
  return messageId;
}

describe("npm run dlq", () => {
  test("list shows the failed test job with its payload and reason; retry delivers it again", async () => {
    const messageId = await failTestJob("from the cli");
    const listed = await dlq(["list", "--job", "test"]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^DLQ ID\s+JOB\s+STATUS/);
    expect(listed.stdout).toMatch(/test\s+489\s+.*test job asked to fail: from the cli/);
    expect(listed.stdout).toContain('"message":"from the cli"');

    const json = JSON.parse((await dlq(["list", "--json"])).stdout) as { messages: Array<{ dlqId: string; messageId: string }> };
    expect(json.messages.map((entry) => entry.messageId)).toEqual([messageId]);
    const dlqId = json.messages[0]!.dlqId;

    const shown = await dlq(["show", dlqId]);
    expect(shown.stdout).toMatch(/Reason\s+test job asked to fail: from the cli/);
    expect(shown.stdout).toContain('"failWith": "non-retryable"');

    const retried = await dlq(["retry", dlqId, "--json"]);
    expect(retried.code).toBe(0);
    const outcome = JSON.parse(retried.stdout) as { retried: Array<{ dlqId: string; messageId: string }> };
    const replayId = outcome.retried[0]!.messageId;
    expect(replayId).not.toBe(messageId);
    await running.stack.qstash.idle();
    // Delivered again: the route claimed and ran it (and, still failing, it is dead again).
    expect(await getRun(running.app.services.redis, replayId)).toMatchObject({ job: "test", attempts: 1, status: "dead" });
  });

  test("bulk delete refuses without --yes and a terminal, and deletes with --yes", async () => {
    await failTestJob("one");
    await failTestJob("two");
    const refused = await dlq(["delete", "--job", "test"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("Pass --yes");
    const deleted = await dlq(["delete", "--job", "test", "--yes"]);
    expect(deleted).toMatchObject({ code: 0, stdout: "Deleted 2 of 2.\n" });
    expect((await dlq(["list"])).stdout).toBe("The dead-letter queue is empty.\n");
  });

  test("a bulk retry on a terminal asks, shows progress and retries every match", async () => {
    await failTestJob("x");
    await failTestJob("y");
    const outcome = await dlq(["retry", "--all"], qstashEnv(), true);
    expect(outcome.code).toBe(0);
    expect(outcome.stderr).toContain("2/2");
    expect(outcome.stdout).toContain("Retried 2 of 2.");
    await running.stack.qstash.idle();
  });

  test("with no credentials it finds the local stack on QSTASH_DEV_PORT and says so", async () => {
    await failTestJob("local");
    const port = new URL(running.stack.qstash.url).port;
    const outcome = await dlq(["list", "--json"], { QSTASH_DEV_PORT: port });
    expect(outcome.code).toBe(0);
    expect(outcome.stderr).toContain(`using the local stack at http://127.0.0.1:${port}`);
    expect(JSON.parse(outcome.stdout).messages).toHaveLength(1);
  });

  test("as a child process: `tsx scripts/dlq.ts list --json` with env, exit code 0", async () => {
    const messageId = await failTestJob("spawned");
    const { code, stdout, stderr } = await spawnScript(["scripts/dlq.ts", "list", "--json"], qstashEnv());
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as { messages: Array<{ messageId: string }> }).messages.map((entry) => entry.messageId)).toEqual([
      messageId,
    ]);
    expect((await spawnScript(["scripts/dlq.ts", "frobnicate"], qstashEnv())).code).toBe(2);
  });
});

describe("npm run jobs", () => {
  test("status reads the run record of a dead message", async () => {
    const messageId = await failTestJob("status");
    const capture = captureIo({
      env: {
        UPSTASH_REDIS_REST_URL: running.stack.env.UPSTASH_REDIS_REST_URL!,
        UPSTASH_REDIS_REST_TOKEN: running.stack.env.UPSTASH_REDIS_REST_TOKEN!,
      },
    });
    expect(await runJobsCommand(["status", messageId], capture.io)).toBe(0);
    expect(capture.stdout).toMatch(/Status\s+dead/);
    expect(capture.stdout).toMatch(/Last error\s+489: test job asked to fail: status/);
  });
});

function spawnScript(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // Only the given env: nothing from this process's environment leaks into the credentials.
    const child = spawn(process.execPath, ["--import", "tsx", ...args], {
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", NODE_ENV: "test", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}
