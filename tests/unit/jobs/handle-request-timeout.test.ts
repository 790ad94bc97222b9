import { describe, expect, test, vi } from "vitest";
import { z } from "zod";
import { defineJob } from "@/lib/jobs/context";
import {
  JobTimeoutError,
  runBudgetMs,
  handleJobRequest,
  type JobRouteDeps,
  getRun,
  jobUrl,
  createVerifier,
} from "@/lib/job-runtime";
import { fakeServices } from "../../helpers/fake-services";
import { DEV_CURRENT_KEY, DEV_NEXT_KEY, signedRequest } from "../../helpers/qstash-signature";
import { jobRouteDepsOf } from "@/lib/services";
import { setupMemoryRedis } from "../../helpers/msw";

// A run that outlives its budget: the handler's signal fires, the route answers a
// retryable 504 and frees the idempotency lease, so QStash's retry can run it.
setupMemoryRedis("http://redis.test");

const seen: AbortSignal[] = [];
const slow = defineJob({
  name: "slow",
  schema: z.object({ mode: z.enum(["honours-signal", "ignores-signal"]) }),
  retries: 2,
  async handler(payload, context) {
    seen.push(context.signal);
    // Retries finish at once: only the first attempt is slow.
    if (context.retried > 0) return { finished: true };
    if (payload.mode === "honours-signal") {
      await new Promise<void>((_, reject) =>
        context.signal.addEventListener("abort", () => reject(context.signal.reason), { once: true }),
      );
    }
    return new Promise<never>(() => {});
  },
});
const registry = { slow };
const verify = createVerifier({ currentSigningKey: DEV_CURRENT_KEY, nextSigningKey: DEV_NEXT_KEY });

async function deliver(
  services: ReturnType<typeof fakeServices>["services"],
  payload: unknown,
  messageId: string,
  retried: number,
  extra: Partial<JobRouteDeps> = {},
) {
  const request = signedRequest({ url: jobUrl(services.env.APP_URL, slow), body: JSON.stringify(payload), messageId, retried });
  const response = await handleJobRequest(registry, "slow", request, {
    ...jobRouteDepsOf(services, verify),
    runtime: "nodejs",
    budgetMs: () => 20,
    ...extra,
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

describe("a run that times out", () => {
  test.each(["honours-signal", "ignores-signal"] as const)(
    "%s: answers 504 retryable, aborts the signal and releases the lease",
    async (mode) => {
      seen.length = 0;
      const { services } = fakeServices();
      const first = await deliver(services, { mode }, `msg_${mode}`, 0);
      expect(first.status).toBe(504);
      expect(first.headers.get("upstash-nonretryable-error")).toBeNull();
      expect(first.body).toMatchObject({ error: "job timed out after 20 ms", retryable: true, job: "slow" });
      expect(seen[0]!.aborted).toBe(true);
      expect(seen[0]!.reason).toBeInstanceOf(JobTimeoutError);
      expect(await getRun(services.redis, `msg_${mode}`)).toMatchObject({
        status: "failed",
        lastError: "JobTimeoutError: job timed out after 20 ms",
      });

      // The retry is not refused as "still running" (409): the lease was released.
      const retry = await deliver(services, { mode }, `msg_${mode}`, 1);
      expect(retry).toMatchObject({ status: 200, body: { ok: true, result: { finished: true } } });
      expect(await getRun(services.redis, `msg_${mode}`)).toMatchObject({ status: "succeeded", attempts: 2 });
    },
  );

  test("without an override the budget comes from JOB_MAX_DURATION_SECONDS and the job's timeout", async () => {
    const { services } = fakeServices();
    const spy = vi.spyOn(globalThis, "setTimeout");
    await deliver(services, { mode: "honours-signal" }, "msg_budget", 1, { budgetMs: undefined });
    const timers = spy.mock.calls.map((call) => call[1]).filter((ms): ms is number => typeof ms === "number");
    spy.mockRestore();
    // 60 s platform limit, no job timeout: the signal fires 2 s early.
    expect(runBudgetMs(services.env.JOB_MAX_DURATION_SECONDS, slow.timeout)).toBe(58_000);
    expect(timers).toContain(58_000);
  });
});
