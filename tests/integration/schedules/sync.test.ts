import { describe, expect, test } from "vitest";
import { listRecentRuns } from "@/lib/job-runtime";
import { MANAGED_LABEL } from "@/lib/flows/schedules";
import type { CliIo } from "../../../scripts/lib/cli";
import { runSchedulesSync } from "../../../scripts/lib/schedules-command";
import { setupStackAndApp } from "../../helpers/stack-and-app";

// `npm run schedules:sync` in-process against the local QStash, through the official client.

const running = setupStackAndApp({ stackClock: true, reset: ["qstash", "redis"] });

async function sync(...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    stdinIsTTY: false,
    prompt: async () => "",
    env: {
      QSTASH_URL: running.stack.qstash.url,
      QSTASH_TOKEN: running.stack.env.QSTASH_TOKEN,
      APP_URL: running.app.url,
      SCHEDULES_TIME_ZONE: "Asia/Ulaanbaatar",
    },
  };
  const code = await runSchedulesSync(argv, io);
  return { code, stdout, stderr };
}

const ids = async () => (await running.app.qstash.schedules.list()).map((schedule) => schedule.scheduleId).sort();

describe("schedules:sync", () => {
  test("creates, is idempotent, updates drift, removes a stale managed schedule and leaves others alone", async () => {
    await running.app.qstash.schedules.create({
      scheduleId: "old-weekly-report",
      destination: `${running.app.url}/api/jobs/test`,
      cron: "0 9 * * 1",
      body: JSON.stringify({ message: "weekly" }),
      label: ["test", MANAGED_LABEL],
    });
    await running.app.qstash.schedules.create({
      scheduleId: "someone-elses",
      destination: `${running.app.url}/api/jobs/test`,
      cron: "0 0 * * *",
      body: "{}",
    });

    const dry = await sync("--dry-run");
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain("+ cleanup-data-daily  CRON_TZ=Asia/Ulaanbaatar 0 2 * * *");
    expect(dry.stdout).toContain("+ dlq-redrive-every-10-minutes  */10 * * * *");
    expect(dry.stdout).toContain("+ outbox-sweep-every-minute  * * * * *");
    expect(dry.stdout).toMatch(/^- old-weekly-report/m);
    expect(dry.stdout).toContain("Nothing was changed.");
    expect(await ids()).toEqual(["old-weekly-report", "someone-elses"]);

    const first = await sync();
    expect(first.stdout).toContain("Created 3, updated 0, removed 1, 0 unchanged.");
    expect(await ids()).toEqual([
      "cleanup-data-daily",
      "dlq-redrive-every-10-minutes",
      "outbox-sweep-every-minute",
      "someone-elses",
    ]);
    const cleanup = await running.app.qstash.schedules.get("cleanup-data-daily");
    expect(cleanup).toMatchObject({
      cron: "CRON_TZ=Asia/Ulaanbaatar 0 2 * * *",
      destination: `${running.app.url}/api/jobs/cleanup-data`,
      retries: 2,
      body: "{}",
    });
    const before = await running.app.qstash.schedules.list();

    const second = await sync();
    expect(second.stdout).toContain("Schedules are up to date (3 unchanged).");
    const json = JSON.parse((await sync("--json")).stdout) as { changed: boolean; plan: { unchanged: string[] } };
    expect(json.changed).toBe(false);
    expect(json.plan.unchanged).toEqual(["cleanup-data-daily", "dlq-redrive-every-10-minutes", "outbox-sweep-every-minute"]);
    expect(await running.app.qstash.schedules.list()).toEqual(before);

    // Someone edits a managed schedule by hand: the next sync puts it back.
    await running.app.qstash.schedules.create({
      scheduleId: "cleanup-data-daily",
      destination: `${running.app.url}/api/jobs/cleanup-data`,
      cron: "0 5 * * *",
      body: "{}",
      retries: 2,
      label: ["cleanup-data", MANAGED_LABEL],
    });
    const repaired = await sync();
    expect(repaired.stdout).toContain("~ cleanup-data-daily");
    expect(repaired.stdout).toContain("cron: 0 5 * * * → CRON_TZ=Asia/Ulaanbaatar 0 2 * * *");
    expect((await sync()).stdout).toContain("up to date");
  });

  test("scheduled firings reach the signed job route", async () => {
    await sync();
    await running.stack.qstash.advance(10 * 60 * 1000);
    await running.stack.qstash.idle();
    const runs = await listRecentRuns(running.app.services.redis);
    expect(runs.find((run) => run.job === "dlq-redrive")).toMatchObject({ status: "succeeded" });
  });

  test("refuses to run without APP_URL or with an unknown time zone", async () => {
    const io = (env: Record<string, string>) => ({
      stdout: { write: () => true },
      stderr: { write: () => true },
      stdinIsTTY: false,
      prompt: async () => "",
      env: { QSTASH_URL: running.stack.qstash.url, QSTASH_TOKEN: running.stack.env.QSTASH_TOKEN, ...env },
    });
    expect(await runSchedulesSync([], io({}))).toBe(1);
    expect(await runSchedulesSync([], io({ APP_URL: running.app.url, SCHEDULES_TIME_ZONE: "Mars/Olympus" }))).toBe(1);
    expect(await runSchedulesSync(["--bogus"], io({ APP_URL: running.app.url }))).toBe(2);
    expect(await ids()).toEqual([]);
  });
});
