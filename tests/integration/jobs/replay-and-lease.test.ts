import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { z } from "zod";
import { createVerifier, getRun, handleJobRequest, jobUrl, LEASE_GRACE_MS } from "@/lib/job-runtime";
import { defineJob } from "@/lib/jobs/context";
import { jobs as registry } from "@/lib/jobs/registry";
import { jobRouteDepsOf } from "@/lib/services";
import { startTestApp, type TestApp } from "../../../harness/app";
import { startTestStack, type TestStack } from "../../../harness/stack";
import { DEV_CURRENT_KEY, DEV_NEXT_KEY, signedRequest } from "../../helpers/qstash-signature";

// The idempotency claim against the local stack: replayed signatures, leases that are
// still held, leases whose run died, and the attempt count kept by the claim itself.
const BUDGET_MS = 60_000;
let stack: TestStack;
let app: TestApp;
const runs: string[] = [];
let unblock: (() => void) | undefined;
let started: (() => void) | undefined;

const guarded = defineJob({
  name: "guarded",
  schema: z.object({
    id: z.string(),
    block: z.boolean().optional(),
    hangOnce: z.boolean().optional(),
    failOnce: z.boolean().optional(),
  }),
  retries: 3,
  async handler(payload) {
    runs.push(payload.id);
    const first = runs.filter((id) => id === payload.id).length === 1;
    if (payload.block) await new Promise<void>((resolve) => (unblock = resolve));
    if (payload.hangOnce && first) {
      started?.();
      await new Promise<never>(() => {}); // killed with its function: never finishes, never releases
    }
    if (payload.failOnce && first) throw new Error("first attempt fails");
    return { id: payload.id };
  },
});
const jobs = { ...registry, guarded };
let killNext = false;

beforeAll(async () => {
  stack = await startTestStack();
  app = await startTestApp(stack, {
    registry: jobs,
    budgetMs: () => BUDGET_MS,
    // The route's clock is the stack's, so a lease's deadline passes when the test moves time.
    services: { clock: stack.clock },
    routes: {
      // The platform killing the function mid-run: QStash gets a 504, the lease stays taken.
      [`/api/jobs/${guarded.name}`]: async (request, self) => {
        const run = handleJobRequest(jobs, guarded.name, request, {
          ...jobRouteDepsOf(self.services, verifyFor(self)),
          runtime: "nodejs",
          budgetMs: () => BUDGET_MS,
        });
        if (!killNext) return run;
        killNext = false;
        await new Promise<void>((resolve) => (started = resolve));
        return new Response("FUNCTION_INVOCATION_TIMEOUT", { status: 504 });
      },
    },
  });
});
afterAll(async () => {
  unblock?.();
  await app?.close();
  await stack?.close();
});
beforeEach(() => {
  runs.length = 0;
});

const verify = createVerifier({ currentSigningKey: DEV_CURRENT_KEY, nextSigningKey: DEV_NEXT_KEY });
const verifyFor = (self: TestApp) =>
  createVerifier({ currentSigningKey: self.env.QSTASH_CURRENT_SIGNING_KEY, nextSigningKey: self.env.QSTASH_NEXT_SIGNING_KEY });
const url = () => jobUrl(app.url, guarded);

async function deliver(request: Request) {
  const response = await handleJobRequest(jobs, guarded.name, request, {
    ...jobRouteDepsOf(app.services, verify),
    runtime: "nodejs",
    budgetMs: () => BUDGET_MS,
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

describe("replayed signatures", () => {
  test("a captured signed delivery sent again under a new message id answers as a duplicate: one run, no new writes", async () => {
    const body = JSON.stringify({ id: "replayed" });
    const original = signedRequest({ url: url(), body, messageId: "msg_original" });
    const signature = original.headers.get("upstash-signature")!;
    expect(await deliver(original)).toMatchObject({ status: 200, body: { ok: true, result: { id: "replayed" } } });
    const keysBefore = await app.services.redis.dbsize();

    const replay = await deliver(signedRequest({ url: url(), body, messageId: "msg_forged", signature }));
    expect(replay).toMatchObject({ status: 200, body: { ok: true, duplicate: true } });
    expect(runs).toEqual(["replayed"]);
    expect(await getRun(app.services.redis, "msg_forged")).toBeNull();
    expect(await app.services.redis.dbsize()).toBe(keysBefore);
    // The same message delivered again by QStash (a fresh signature) is still just a duplicate.
    expect(await deliver(signedRequest({ url: url(), body, messageId: "msg_original" }))).toMatchObject({
      body: { duplicate: true },
    });
    expect(runs).toEqual(["replayed"]);
  });

  test("a replay of a signature whose run failed does not run it again; QStash's own retry (new signature) does", async () => {
    const body = JSON.stringify({ id: "failing", failOnce: true });
    const first = signedRequest({ url: url(), body, messageId: "msg_fail" });
    const signature = first.headers.get("upstash-signature")!;
    expect((await deliver(first)).status).toBe(500);
    expect((await deliver(signedRequest({ url: url(), body, messageId: "msg_fail", signature }))).body).toMatchObject({
      duplicate: true,
    });
    expect(runs).toEqual(["failing"]);
    expect(await deliver(signedRequest({ url: url(), body, messageId: "msg_fail", retried: 1 }))).toMatchObject({ status: 200 });
    expect(runs).toEqual(["failing", "failing"]);
  });
});

describe("attempts", () => {
  test("are counted by the claim, whatever Upstash-Retried says", async () => {
    const body = JSON.stringify({ id: "counted", failOnce: true });
    expect((await deliver(signedRequest({ url: url(), body, messageId: "msg_counted", retried: 7 }))).status).toBe(500);
    expect((await deliver(signedRequest({ url: url(), body, messageId: "msg_counted", retried: 0 }))).status).toBe(200);
    expect(await getRun(app.services.redis, "msg_counted")).toMatchObject({ status: "succeeded", attempts: 2 });
  });
});

describe("a lease held by an earlier delivery", () => {
  test("answers 409 with Retry-After equal to the lease's remaining time", async () => {
    const body = JSON.stringify({ id: "held", block: true });
    const running = deliver(signedRequest({ url: url(), body, messageId: "msg_held" }));
    while (!runs.includes("held")) await new Promise((resolve) => setImmediate(resolve));
    const refused = await deliver(signedRequest({ url: url(), body, messageId: "msg_held", retried: 1 }));
    expect(refused.status).toBe(409);
    const leaseSeconds = (BUDGET_MS + LEASE_GRACE_MS) / 1_000;
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeLessThanOrEqual(leaseSeconds);
    expect(retryAfter).toBeGreaterThan(leaseSeconds - 5);
    unblock!();
    expect((await running).status).toBe(200);
  });

  test("of a run killed mid-way is taken over once its deadline passed: the retry succeeds, nothing in the DLQ", async () => {
    killNext = true;
    const { messageId } = await app.qstash.publishJSON({ url: url(), body: { id: "killed", hangOnce: true }, retries: 3 });
    await stack.qstash.advance(0);
    // QStash's retries come back while the lease holds (409, Retry-After), then after the run's deadline.
    await stack.qstash.advance(BUDGET_MS + LEASE_GRACE_MS + 60_000);
    expect(runs).toEqual(["killed", "killed"]);
    expect(await getRun(app.services.redis, messageId)).toMatchObject({ status: "succeeded", attempts: 2 });
    expect((await app.qstash.dlq.listMessages()).messages).toEqual([]);
  });
});

describe("queued records", () => {
  test("a batch is recorded as queued by one script call, and never overwrites a run that already started", async () => {
    const { recordQueuedMany } = await import("@/lib/job-runtime");
    const started = await deliver(signedRequest({ url: url(), body: JSON.stringify({ id: "raced" }), messageId: "msg_raced" }));
    expect(started.status).toBe(200);
    const published = ["msg_q1", "msg_q2", "msg_q3", "msg_raced"].map((messageId) => ({
      messageId,
      jobName: guarded.name,
      deduplicated: false,
    }));
    await recordQueuedMany(app.services.redis, published, stack.clock.now());
    for (const id of ["msg_q1", "msg_q2", "msg_q3"])
      expect(await getRun(app.services.redis, id)).toMatchObject({ status: "queued", job: "guarded" });
    expect(await getRun(app.services.redis, "msg_raced")).toMatchObject({ status: "succeeded" });
  });
});
