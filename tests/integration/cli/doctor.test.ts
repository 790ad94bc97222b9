import { createServer } from "node:http";
import { Client } from "@upstash/qstash";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { handleOutboxSweepCron } from "@/lib/cron/outbox-sweep";
import { defineJob } from "@/lib/jobs/context";
import { durableQueue } from "@/lib/jobs/outbox";
import { jobs as registry } from "@/lib/jobs/registry";
import { testJob } from "@/lib/jobs/test";
import { desiredSchedules, MANAGED_LABEL, scheduleDefinitions } from "@/lib/flows/schedules";
import { syncSchedules } from "@/lib/schedules/sync";
import { runDoctor } from "@/scripts/lib/doctor/command";
import type { CheckResult } from "@/scripts/lib/doctor/check";
import { captureIo } from "../../unit/cli/capture-io";
import { startProtectionProxy, type ProtectionProxy } from "../../helpers/protection-proxy";
import { startTestApp, type TestApp } from "../../../harness/app";
import { startTestStack, type TestStack } from "../../../harness/stack";

// Each broken setup below is made on purpose against the local stack; the doctor must name it.
let stack: TestStack;
let app: TestApp;
const started: Array<{ close(): Promise<void> }> = [];

const TIME_ZONE = "Asia/Ulaanbaatar";
const CRON_SECRET = "doctor-cron-secret-0123456789";
/** The deployment's cron route (app/api/cron/outbox-sweep/route.ts is glue around this call) and its secret. */
const withCron = (secret: string | null = CRON_SECRET) => ({
  env: (secret === null ? {} : { CRON_SECRET: secret }) as Record<string, string>,
  routes: {
    "/api/cron/outbox-sweep": (request: Request, target: TestApp) =>
      handleOutboxSweepCron(request, {
        cronSecret: target.env.CRON_SECRET,
        outbox: durableQueue(target.services),
        clock: target.services.clock,
      }),
  },
});

beforeAll(async () => {
  stack = await startTestStack();
  app = await startTestApp(stack, withCron());
  started.push(app);
  // A healthy setup has its schedules synced.
  const client = new Client({ baseUrl: stack.env.QSTASH_URL, token: stack.env.QSTASH_TOKEN, enableTelemetry: false });
  await syncSchedules(client, desiredSchedules(scheduleDefinitions({ timeZone: TIME_ZONE }), app.url), {
    managedLabel: MANAGED_LABEL,
    dryRun: false,
  });
});
afterAll(async () => {
  for (const server of started.reverse()) await server.close();
  await stack?.close();
});

function healthyEnv(overrides: Record<string, string | undefined> = {}) {
  return { ...stack.env, APP_URL: app.url, SCHEDULES_TIME_ZONE: TIME_ZONE, CRON_SECRET, ...overrides };
}

async function doctor(env: Record<string, string | undefined>, args: string[] = []) {
  const captured = captureIo({ env });
  const exitCode = await runDoctor([...args, "--json", "--timeout", "20"], captured.io, { pollIntervalMs: 20 });
  const report = JSON.parse(captured.stdout) as { ok: boolean; checks: CheckResult[] };
  const byId = Object.fromEntries(report.checks.map((check) => [check.id, check]));
  return { exitCode, report, byId };
}

describe("npm run doctor against the local stack", () => {
  test("a healthy setup prints one ✔ line per check and exits 0", async () => {
    const captured = captureIo({ env: healthyEnv() });
    const exitCode = await runDoctor(["--timeout", "20"], captured.io, { pollIntervalMs: 20 });
    const lines = captured.stdout.trim().split("\n");
    expect(lines.at(-1)).toBe("All checks passed.");
    expect(lines.slice(0, -1).map((line) => line.split(":")[0])).toEqual([
      "✔ Environment",
      "✔ QStash token and signing keys",
      "✔ Upstash Redis",
      "✔ Resend key and sender domain",
      "✔ Job route",
      "✔ Test job delivery",
      "✔ Failure callback",
      "✔ Outbox cron route",
      "✔ Schedules",
      "✔ Time limits",
    ]);
    expect(exitCode).toBe(0);
    expect(captured.stderr).toBe("");
  });

  test("an incomplete environment is one ✘ naming the variables; the rest are skipped", async () => {
    const { exitCode, report } = await doctor(healthyEnv({ QSTASH_TOKEN: undefined, RESEND_API_KEY: "" }));
    expect(exitCode).toBe(1);
    expect(report.checks[0]).toMatchObject({ id: "environment", status: "fail" });
    expect(report.checks[0]!.fix).toContain("QSTASH_TOKEN, RESEND_API_KEY");
    expect(report.checks.slice(1).every((check) => check.status === "skip")).toBe(true);
  });

  test("wrong signing keys: ✘ on the keys, and the delivery names them as the cause", async () => {
    const wrongKeys = {
      QSTASH_CURRENT_SIGNING_KEY: "sig_wrongCurrentKey000000000000",
      QSTASH_NEXT_SIGNING_KEY: "sig_wrongNextKey00000000000000000",
    };
    const misconfigured = await startTestApp(stack, { env: wrongKeys });
    started.push(misconfigured);
    const { exitCode, byId } = await doctor(healthyEnv(wrongKeys), ["--url", misconfigured.url]);
    expect(exitCode).toBe(1);
    expect(byId.qstash).toMatchObject({ status: "fail" });
    expect(byId.qstash!.detail).toContain("QSTASH_CURRENT_SIGNING_KEY and QSTASH_NEXT_SIGNING_KEY differ");
    expect(byId.delivery).toMatchObject({ status: "fail", observed: { status: 401 } });
    expect(byId.delivery!.detail).toContain("likely cause: wrong-keys");
    expect(byId["job-route"]!.status).toBe("pass");
  });

  test("a deployment whose APP_URL differs from the URL QStash calls: ✘ base URL / sub mismatch", async () => {
    const elsewhere = await startTestApp(stack, { env: { APP_URL: "https://another-host.example" } });
    started.push(elsewhere);
    const { byId } = await doctor(healthyEnv(), ["--url", elsewhere.url]);
    expect(byId.delivery).toMatchObject({ status: "fail", observed: { status: 401 } });
    expect(byId.delivery!.detail).toContain("likely cause: url-mismatch");
    expect(byId.delivery!.fix).toContain(`APP_URL on the deployment to the base URL QStash calls (${elsewhere.url})`);
  });

  test("Deployment Protection in front of the app: ✘ on the route, the delivery and the failure callback", async () => {
    const proxy: ProtectionProxy = await startProtectionProxy({ secret: "a-secret-the-doctor-does-not-have" });
    started.push(proxy);
    const behind = await startTestApp(stack, { env: { APP_URL: proxy.url } });
    started.push(behind);
    proxy.setTarget(behind.url);
    const { byId } = await doctor(healthyEnv(), ["--url", proxy.url]);
    for (const id of ["job-route", "delivery", "failure-callback"]) {
      expect(byId[id]).toMatchObject({ status: "fail", observed: { status: 401 } });
      expect(byId[id]!.fix).toContain("Protection Bypass for Automation");
    }
    expect(byId.delivery!.detail).toContain("likely cause: protection");
  });

  test("behind Deployment Protection with VERCEL_AUTOMATION_BYPASS_SECRET set, every check passes", async () => {
    const secret = "the-projects-bypass-secret";
    const proxy = await startProtectionProxy({ secret });
    started.push(proxy);
    const cron = withCron();
    const behind = await startTestApp(stack, { ...cron, env: { ...cron.env, APP_URL: proxy.url } });
    started.push(behind);
    proxy.setTarget(behind.url);
    const client = new Client({ baseUrl: stack.env.QSTASH_URL, token: stack.env.QSTASH_TOKEN, enableTelemetry: false });
    const desired = desiredSchedules(scheduleDefinitions({ timeZone: TIME_ZONE }), proxy.url, { protectionBypassSecret: secret });
    await syncSchedules(client, desired, { managedLabel: MANAGED_LABEL, dryRun: false });
    try {
      const { exitCode, report } = await doctor(healthyEnv({ APP_URL: proxy.url, VERCEL_AUTOMATION_BYPASS_SECRET: secret }));
      expect(report.checks.filter((check) => check.status !== "pass")).toEqual([]);
      expect(exitCode).toBe(0);
      expect(proxy.rejected).toEqual([]);
    } finally {
      // Put the healthy setup's schedules back for the other tests.
      await syncSchedules(client, desiredSchedules(scheduleDefinitions({ timeZone: TIME_ZONE }), app.url), {
        managedLabel: MANAGED_LABEL,
        dryRun: false,
      });
    }
  });

  test("CRON_SECRET unset here: ✘ on the cron route naming it; nothing is called", async () => {
    const { exitCode, byId } = await doctor(healthyEnv({ CRON_SECRET: undefined }));
    expect(exitCode).toBe(1);
    expect(byId.cron).toMatchObject({ status: "fail" });
    expect(byId.cron!.detail).toContain("CRON_SECRET is not set");
    expect(byId.cron!.fix).toContain("at least 16 characters");
  });

  test("a CRON_SECRET shorter than 16 characters: ✘ naming the variable", async () => {
    const { byId } = await doctor(healthyEnv({ CRON_SECRET: "short" }));
    expect(byId.environment).toMatchObject({ status: "fail" });
    expect(byId.environment!.fix).toContain("CRON_SECRET");
  });

  test("the deployment's CRON_SECRET differs from this one: ✘ the right secret gets 401", async () => {
    const { byId } = await doctor(healthyEnv({ CRON_SECRET: "not-the-deployments-secret" }));
    expect(byId.cron).toMatchObject({ status: "fail", observed: { status: 401 } });
    expect(byId.cron!.detail).toContain("differs");
  });

  test("a deployment without CRON_SECRET: ✘ its cron route answers 503", async () => {
    const unset = await startTestApp(stack, withCron(null));
    started.push(unset);
    const { byId } = await doctor(healthyEnv(), ["--url", unset.url]);
    expect(byId.cron).toMatchObject({ status: "fail", observed: { status: 503 } });
    expect(byId.cron!.detail).toContain("deployment has no CRON_SECRET");
  });

  test("a cron route that lets anyone sweep: ✘ 401 expected", async () => {
    const open = await startTestApp(stack, {
      env: { CRON_SECRET },
      routes: { "/api/cron/outbox-sweep": async () => Response.json({ ran: true }) },
    });
    started.push(open);
    const { byId } = await doctor(healthyEnv(), ["--url", open.url]);
    expect(byId.cron).toMatchObject({ status: "fail", observed: { status: 200 } });
    expect(byId.cron!.detail).toContain("401 was expected");
  });

  test("a base URL where the routes are not deployed: ✘ missing route", async () => {
    const { byId } = await doctor(healthyEnv(), ["--url", `${app.url}/not-the-app`]);
    for (const id of ["job-route", "failure-callback", "cron"])
      expect(byId[id]).toMatchObject({ status: "fail", observed: { status: 404 } });
    expect(byId["job-route"]!.detail).toContain("404");
    expect(byId.delivery!.detail).toContain("likely cause: missing-route");
  });

  test("Redis down: ✘ on Upstash Redis", async () => {
    // A refused connection's text names the port; one that reads like a status (401…) must not pass for a refused token.
    const deadUrl = `http://127.0.0.1:${await freePortContaining401()}`;
    const { byId } = await doctor(healthyEnv({ UPSTASH_REDIS_REST_URL: deadUrl }));
    expect(byId.redis).toMatchObject({ status: "fail" });
    expect(byId.redis!.detail).toContain(`${deadUrl} did not answer`);
    expect(byId.qstash!.status).toBe("pass");
  });

  test("a wrong Redis token: ✘ the database refused it, not that it did not answer", async () => {
    const { byId } = await doctor(healthyEnv({ UPSTASH_REDIS_REST_TOKEN: "not-the-token" }));
    expect(byId.redis).toMatchObject({ status: "fail" });
    expect(byId.redis!.detail).toContain("the database refused UPSTASH_REDIS_REST_TOKEN");
    expect(byId.qstash!.status).toBe("pass");
  });

  test("a job slower than its time limit: ✘ delivery with the timeout named", async () => {
    const slowTest = defineJob({
      name: testJob.name,
      schema: testJob.schema,
      retries: testJob.retries,
      // Runs until its deadline aborts it, like a job stuck on a slow API.
      handler: (_payload, { signal }) =>
        new Promise((_resolve, reject) => signal.addEventListener("abort", () => reject(signal.reason))),
    });
    const slow = await startTestApp(stack, { registry: { ...registry, test: slowTest }, budgetMs: () => 50 });
    started.push(slow);
    const { byId } = await doctor(healthyEnv(), ["--url", slow.url]);
    expect(byId.delivery).toMatchObject({ status: "fail", observed: { status: 504 } });
    expect(byId.delivery!.detail).toContain("likely cause: timeout");
    expect(byId.delivery!.fix).toContain("maxDuration");
  });
});

/** A port nothing listens on (bound once, then closed) whose digits contain "401". */
async function freePortContaining401(): Promise<number> {
  for (let port = 40100; port < 40200; port++) {
    const server = createServer();
    const bound = await new Promise<boolean>((resolve) => {
      server.once("error", () => resolve(false));
      server.listen(port, "127.0.0.1", () => resolve(true));
    });
    if (bound) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      return port;
    }
  }
  throw new Error("no free port from 40100 to 40199");
}
