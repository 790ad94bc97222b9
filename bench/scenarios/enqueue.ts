import { parseEnv } from "@/lib/env";
import { buildRequest } from "@/lib/job-runtime";
import { testJob } from "@/lib/jobs/test";
import { createServices } from "@/lib/services";
import { startCountingProxy } from "@/harness/counting-proxy";
import { compare, timed } from "../lib/measure";
import { COMPARISON_HEADER, comparisonRows, formatRatio, formatValue, type Scenario, type SummaryRow } from "../lib/report";
import { startStackProcess } from "../lib/stack-process";

const TARGET_RATIO = 1.1;
const MANY = 2_000;
/** Nobody listens here; an hour's delay keeps every message queued, so no delivery competes with the publishing. */
const APP_URL = "http://127.0.0.1:9";
const DELAY_SECONDS = 3_600;

export const enqueueScenario: Scenario = {
  id: "enqueue",
  title: "10. Publishing: enqueue against a raw publishJSON",
  async run() {
    const stack = await startStackProcess();
    const proxy = await startCountingProxy(stack.env.UPSTASH_REDIS_REST_URL!);
    try {
      const env = parseEnv({ ...stack.env, UPSTASH_REDIS_REST_URL: proxy.url, APP_URL });
      const services = createServices(env);
      let n = 0;
      const payload = () => ({ message: `enqueue ${n++}` });
      const single = await compare(
        () => timed(() => services.qstash.publishJSON(buildRequest(APP_URL, testJob, payload(), { delay: DELAY_SECONDS }))),
        () => timed(() => services.queue.enqueue(testJob, payload(), { delay: DELAY_SECONDS })),
        // Short interleaved rounds: on a shared machine, load drifts over seconds, and long blocks of one side would carry it.
        { warmup: 30, rounds: 80, perRound: 4, budgetMs: 20_000 },
      );

      // A batch: the producer path writes nothing to Redis; anything that did would show up in this count.
      const items = Array.from({ length: MANY }, () => ({ job: testJob, payload: payload(), options: { delay: DELAY_SECONDS } }));
      const rawMs = await timed(async () => {
        for (let start = 0; start < MANY; start += 100) {
          await services.qstash.batchJSON(
            items.slice(start, start + 100).map((item) => buildRequest(APP_URL, item.job, item.payload, item.options)),
          );
        }
      });
      proxy.reset();
      const manyMs = await timed(() => services.queue.enqueueMany(items));
      // Work deferred past the call (an `after()` write) would land a moment later; let it show up in the count.
      await new Promise((resolve) => setTimeout(resolve, 500));
      const redisRequests = proxy.counts().requests;

      const summary: SummaryRow[] = [
        {
          measure: "`enqueue` p50",
          baseline: "raw `publishJSON`",
          figure: `${formatRatio(single.ratio)} (${formatValue(single.subject.median, "ms")} vs ${formatValue(single.baseline.median, "ms")}; rounds ${formatRatio(single.roundRatios.min)} – ${formatRatio(single.roundRatios.max)}, ${single.rounds} rounds)`,
          target: `≤ ${TARGET_RATIO}×`,
          status: single.ratio <= TARGET_RATIO ? "PASS" : "FAIL",
        },
        {
          measure: `\`enqueueMany\` of ${MANY.toLocaleString("en-US")} jobs`,
          baseline: "raw `batchJSON` in chunks of 100",
          figure: `${formatRatio(manyMs / rawMs)} (${formatValue(manyMs, "ms")} vs ${formatValue(rawMs, "ms")}); ${redisRequests} Redis request(s) for the batch`,
          target: "≤ 1 Redis request per call",
          status: redisRequests <= 1 ? "PASS" : "FAIL",
        },
      ];
      return {
        title: this.title,
        description: [
          "The app's producer helper against the SDK call it wraps, both to the local QStash (its own process) with an hour's delay.",
          "Subject: `services.queue.enqueue(testJob, payload)` (validation, the publish span, the publish; no Redis write:",
          "the route's claim records the run, and a message nobody has claimed yet is read back from QStash as queued).",
          "Baseline: `publishJSON` of the same request. Then a batch of 2,000 through `enqueueMany` against raw `batchJSON`",
          "chunks, with the Redis requests the batch caused counted at the REST server.",
        ].join("\n"),
        table: [
          COMPARISON_HEADER,
          ...comparisonRows(single, { baseline: "Baseline: raw `publishJSON`", subject: "Subject: `enqueue`" }, "ms"),
        ],
        targets: summary.map((row) => ({
          label: `${row.measure}: ${row.figure} (target ${row.target})`,
          pass: row.status === "PASS",
        })),
        summary,
        notes: [],
      };
    } finally {
      await proxy.close();
      await stack.stop();
    }
  },
};
