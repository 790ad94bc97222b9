import { describe, expect, test } from "vitest";
import { z } from "zod";
import { createJobRegistry, defineHandler, jobDefiner, type JobContext, lazyJob } from "@/lib/job-runtime";
import { jobs } from "@/lib/jobs/registry";

const defineJob = jobDefiner<{ greeting: string }>();
const hello = defineJob({ name: "hello", schema: z.object({ who: z.string() }), retries: 0 });
const other = defineJob({ name: "other", schema: z.object({ who: z.string() }), retries: 0 });
const context = { greeting: "hi" } as JobContext & { greeting: string };

describe("lazyJob", () => {
  test("loads the handler on the first run only, and runs it with the payload and context", async () => {
    let loads = 0;
    const job = lazyJob(hello, async () => {
      loads++;
      return { default: defineHandler(hello, async (payload, ctx) => ({ said: `${ctx.greeting} ${payload.who}` })) };
    });
    expect(loads).toBe(0);
    expect(await job.handler({ who: "Ada" }, context)).toEqual({ said: "hi Ada" });
    expect(await job.handler({ who: "Bob" }, context)).toEqual({ said: "hi Bob" });
    expect(loads).toBe(1);
  });

  test("concurrent first runs share one load", async () => {
    let loads = 0;
    const job = lazyJob(hello, async () => {
      loads++;
      return { default: defineHandler(hello, async (payload) => ({ who: payload.who })) };
    });
    await Promise.all([job.handler({ who: "a" }, context), job.handler({ who: "b" }, context)]);
    expect(loads).toBe(1);
  });

  test("a failed load fails that run and the next run loads again (a retried delivery recovers)", async () => {
    let loads = 0;
    const job = lazyJob(hello, async () => {
      loads++;
      if (loads === 1) throw new Error("chunk missing");
      return { default: defineHandler(hello, async () => ({ ok: true })) };
    });
    await expect(job.handler({ who: "a" }, context)).rejects.toThrow("chunk missing");
    expect(await job.handler({ who: "a" }, context)).toEqual({ ok: true });
    expect(loads).toBe(2);
  });

  test("a handler written for another job is refused, not run", async () => {
    let ran = false;
    const handlerOfOther = defineHandler(other, async () => {
      ran = true;
    });
    // The types already refuse this pairing; the check guards the wire name at run time too.
    const job = lazyJob(hello, async () => ({ default: handlerOfOther as never }));
    await expect(job.handler({ who: "a" }, context)).rejects.toThrow('job "hello" was registered with the handler of "other"');
    expect(ran).toBe(false);
  });

  test("a job that already has a handler is not wrapped", () => {
    const inline = defineJob({ name: "inline", schema: z.object({}), retries: 0, handler: async () => {} });
    expect(() => lazyJob(inline, async () => ({ default: defineHandler(inline, async () => {}) }))).toThrow(
      "already has a handler",
    );
  });

  test("a registry mixes lazy jobs and jobs written with their handler", async () => {
    const inline = defineJob({ name: "inline", schema: z.object({}), retries: 0, handler: async () => ({ inline: true }) });
    const registry = createJobRegistry([
      inline,
      lazyJob(hello, async () => ({ default: defineHandler(hello, async () => ({ lazy: true })) })),
    ]);
    expect(await registry.inline.handler({}, context)).toEqual({ inline: true });
    expect(await registry.hello.handler({ who: "a" }, context)).toEqual({ lazy: true });
  });
});

test("every job of the app is registered with its own handler module, lib/jobs/<name>.handler.ts", async () => {
  const mismatched: string[] = [];
  for (const job of Object.values(jobs)) {
    const module = (await import(`@/lib/jobs/${job.name}.handler.ts`)) as { default: { job: string; handler: unknown } };
    if (module.default.job !== job.name || typeof module.default.handler !== "function") mismatched.push(job.name);
  }
  expect(mismatched).toEqual([]);
});
