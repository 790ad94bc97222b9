import { describe, expect, it } from "vitest";
import { breakdown, gcPauses, phaseTable, type Stamp, type TracedJob } from "@/bench/lib/delivery-trace";

/** One job's hops on both sides, `t` ms after `start`; the app talks to the stack over ports 40001 (publish) and `redisPort`. */
function hops(job: TracedJob, start: number, redisPort: number): { app: Stamp[]; stack: Stamp[] } {
  const at = (ms: number) => start + ms;
  const { messageId, publish } = job;
  return {
    app: [
      { at: at(0.5), kind: "publish-sent", publish, port: 40001 },
      { at: at(2.5), kind: "publish-answered", publish, port: 40001 },
      { at: at(3), kind: "delivery-in", messageId },
      { at: at(4), kind: "redis-sent", messageId, port: redisPort },
      { at: at(5), kind: "redis-answered", messageId, port: redisPort },
      { at: at(5.5), kind: "redis-sent", messageId, port: redisPort },
      { at: at(6.5), kind: "redis-answered", messageId, port: redisPort },
    ],
    stack: [
      { at: at(0.75), kind: "publish-in", port: 40001 },
      { at: at(2), kind: "delivery-out", messageId },
      { at: at(4.25), kind: "redis-in", port: redisPort },
      { at: at(4.75), kind: "redis-out", port: redisPort },
      { at: at(5.75), kind: "redis-in", port: redisPort },
      { at: at(6), kind: "redis-out", port: redisPort },
    ],
  };
}

describe("delivery trace breakdown", () => {
  it("joins both processes' stamps into phases that add up to publish → done", () => {
    // Two overlapping jobs on separate Redis connections, stamps interleaved as they would be.
    const jobs: TracedJob[] = [
      { publish: 0, messageId: "msg_a", calledAt: 100, doneAt: 107 },
      { publish: 1, messageId: "msg_b", calledAt: 102, doneAt: 109 },
    ];
    const a = hops(jobs[0]!, 100, 50001);
    const b = hops(jobs[1]!, 102, 50002);
    const byTime = (stamps: Stamp[]) => stamps.sort((x, y) => x.at - y.at);
    const result = breakdown(jobs, byTime([...a.app, ...b.app]), byTime([...a.stack, ...b.stack]));

    expect(result.jobs).toBe(2);
    const p50 = Object.fromEntries(phaseTable(result.phases).map((row) => [row.name, row.p50]));
    expect(p50).toMatchObject({
      "publish: the call until its request is on the wire (publishing SDK, fetch)": 0.5,
      "publish: wire → the stack has it (kernel, wake-up)": 0.25,
      "stack: publish in → delivery on the wire (parse, store, a free delivery slot, sign, send)": 1.25,
      "delivery: wire → the route has it (kernel, wake-up, the app reading the publish answer)": 1,
      "route: delivery in → Redis call 1 sent (body, signature, payload)": 1,
      "Redis call 1: wire → the stack has it": 0.25,
      "Redis call 1: the stack runs it and answers": 0.5,
      "Redis call 1: answer → the route has it": 0.25,
      "route: Redis call 1 answered → call 2 sent": 0.5,
      "Redis call 2: the stack runs it and answers": 0.25,
      "Redis call 2: answer → the route has it": 0.5,
      "route: last Redis answer → done": 0.5,
      "sum of the [app] phases": 2.5,
      "sum of the [stack] phases": 2,
      "sum of the [between] phases": 2.5,
      "total: publish → done": 7,
    });
    const parts = result.phases.filter((phase) => phase.process !== "all");
    for (const index of [0, 1]) expect(parts.reduce((sum, phase) => sum + phase.ms[index]!, 0)).toBeCloseTo(7);
  });

  it("matches requests on one keep-alive connection in order, so a job's Redis call never takes another's arrival", () => {
    // Both jobs' calls share one connection: job b's calls arrive after job a's.
    const jobs: TracedJob[] = [
      { publish: 0, messageId: "msg_a", calledAt: 100, doneAt: 107 },
      { publish: 1, messageId: "msg_b", calledAt: 110, doneAt: 117 },
    ];
    const a = hops(jobs[0]!, 100, 50001);
    const b = hops(jobs[1]!, 110, 50001);
    const result = breakdown(jobs, [...a.app, ...b.app], [...b.stack, ...a.stack]);
    const stackRuns = result.phases.find((phase) => phase.name === "Redis call 2: the stack runs it and answers")!;
    expect(stackRuns.ms).toEqual([0.25, 0.25]);
  });

  it("leaves out a job with a hop missing from either log, e.g. in flight when tracing stopped", () => {
    const jobs: TracedJob[] = [
      { publish: 0, messageId: "msg_a", calledAt: 100, doneAt: 107 },
      { publish: 1, messageId: "msg_b", calledAt: 102, doneAt: 109 },
    ];
    const a = hops(jobs[0]!, 100, 50001);
    const b = hops(jobs[1]!, 102, 50002);
    const stack = [...a.stack, ...b.stack.filter((stamp) => stamp.kind !== "redis-out")];
    const result = breakdown(jobs, [...a.app, ...b.app], stack);
    expect(result.jobs).toBe(1);
    expect(result.phases.find((phase) => phase.name === "total: publish → done")!.ms).toEqual([7]);
  });

  it("counts the garbage-collector pauses inside the run and the jobs, and the tail jobs, one held up", () => {
    // 20 jobs of 5 ms, one every 10 ms, but jobs 7 and 15 take 25 ms (the p95 and above); a pause hit job 7 only.
    const jobs: TracedJob[] = Array.from({ length: 20 }, (_, index) => ({
      publish: index,
      messageId: `msg_${index}`,
      calledAt: 1_000 + index * 10,
      doneAt: 1_000 + index * 10 + (index === 7 || index === 15 ? 25 : 5),
    }));
    const stamps: Stamp[] = [
      { at: 900, kind: "gc", ms: 3, major: true }, // before the run: not counted
      { at: 1_072, kind: "gc", ms: 6, major: false }, // inside job 7, over before job 8 starts
      { at: 1_006, kind: "gc", ms: 1, major: false }, // between job 0 and job 1
      { at: 1_010, kind: "publish-sent", publish: 1, port: 40001 },
    ];
    expect(gcPauses(jobs, stamps)).toEqual({ pauses: 2, major: 0, longestMs: 6, jobsHit: 1 / 20, tailHit: 1 / 2 });
  });
});
