import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBenchApp, type BenchApp } from "@/bench/lib/app";
import { breakdown, fromPerformanceNow, traceApp, traceStack } from "@/bench/lib/delivery-trace";
import { startLocalStack, type LocalStack } from "@/local/stack";

// The stamps come from Node's diagnostics channels; if a channel is renamed or stops firing,
// scenario 6's hop table would silently lose its jobs. Here both sides run in one process,
// each tracer seeing only its own side by port and route path, as in the bench.

const portOf = (url: string) => Number(new URL(url).port);

describe("delivery trace on a real stack and the real job route", () => {
  let stack: LocalStack;
  let app: BenchApp;
  beforeAll(async () => {
    stack = await startLocalStack({ ports: { qstash: 0, redis: 0, resend: 0 }, dataDir: null });
    app = await startBenchApp(stack.env);
    // A cold route's first delivery loads its handler and the claim script: not the path under test.
    await app.qstash.publishJSON({ url: app.jobUrl, body: { message: "warm-up" }, retries: 0 });
    await app.waitForDone(1, 20_000);
  });
  afterAll(async () => {
    await app?.close();
    await stack?.close();
  });

  it("stamps every hop of every job, so each job splits into phases that add up to publish → done", async () => {
    const count = 5;
    const appTrace = traceApp(new URL(app.jobUrl).pathname);
    const stackTrace = traceStack({ qstash: portOf(stack.qstash.url), redis: portOf(stack.redis.url) });
    const jobs = [];
    const target = app.done + count;
    for (let index = 0; index < count; index++) {
      const calledAt = fromPerformanceNow(performance.now());
      const { messageId } = await appTrace.publishing(index, () =>
        app.qstash.publishJSON({ url: app.jobUrl, body: { message: `traced ${index}` }, retries: 0 }),
      );
      jobs.push({ publish: index, messageId, calledAt });
    }
    await app.waitForDone(target, 20_000);
    const traced = jobs.map((job) => ({ ...job, doneAt: fromPerformanceNow(app.doneAt.get(job.messageId)!) }));
    const result = breakdown(traced, appTrace.stop(), stackTrace.stop());

    expect(result.jobs).toBe(count);
    const names = result.phases.map((phase) => phase.name);
    expect(names).toContain("stack: publish in → delivery on the wire (parse, store, a free delivery slot, sign, send)");
    // The route claims and completes: two Redis calls per job.
    expect(names).toContain("Redis call 2: the stack runs it and answers");
    for (const phase of result.phases) expect(phase.ms).toHaveLength(count);
    const total = result.phases.find((phase) => phase.name === "total: publish → done")!;
    const parts = result.phases.filter((phase) => phase.process !== "all");
    total.ms.forEach((ms, job) => {
      expect(ms).toBeGreaterThan(0);
      expect(parts.reduce((sum, phase) => sum + phase.ms[job]!, 0)).toBeCloseTo(ms, 6);
    });
  });
});
