import { existsSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { handleJobRequest, JOB_ROUTE_PREFIX, jobUrl, createVerifier } from "@/lib/job-runtime";
import { testJob } from "@/lib/jobs/test";
import type { Services } from "@/lib/services";
import { benchRegistry, withQuietLogs } from "../lib/fixtures";
import { compare, timed } from "../lib/measure";
import { COMPARISON_HEADER, comparisonRows, formatValue, type Scenario, type ScenarioResult } from "../lib/report";
import { jobRouteDepsOf } from "@/lib/services";

const MESSAGES = 200;
/** Publishers in flight at once, and the same number of clients for the baseline. */
const CONCURRENCY = 8;
/** Upper bound for one batch to be delivered; a stuck delivery must fail the scenario, not hang the run. */
const IDLE_TIMEOUT_MS = 30_000;
const JOB_PATH = `${JOB_ROUTE_PREFIX.nodejs}/${testJob.name}`;

const TITLE = "4. End to end through the local QStash";
const DESCRIPTION = [
  `${MESSAGES} messages published with \`@upstash/qstash\` \`Client.publishJSON\` (${CONCURRENCY} publishers in flight)`,
  "to the `test` job of the in-process test app (`harness/app.ts` on `startTestStack` with the",
  "system clock; its job route wrapped to count deliveries), timed until the local QStash server reports idle, i.e. every message delivered, verified,",
  `claimed, run and completed. Baseline: ${MESSAGES} plain loopback POSTs of the same body to a no-op`,
  `\`node:http\` server, ${CONCURRENCY} in flight. Ratio = time per batch, subject / baseline; the table also gives messages per second.`,
].join("\n");

/** N jobs of `work`, `concurrency` at a time. */
async function pool(count: number, concurrency: number, work: (index: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await work(next++);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function startNoopServer() {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => res.end('{"ok":true}'));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/jobs/test`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function skipped(reason: string): ScenarioResult {
  return { title: TITLE, description: DESCRIPTION, table: [], targets: [], notes: [], skipped: reason };
}

export const endToEndScenario: Scenario = {
  id: "end-to-end",
  title: TITLE,
  async run() {
    // The local QStash server is younger than this suite; without it there is nothing to deliver.
    if (!existsSync(new URL("../../local/qstash/server.ts", import.meta.url))) {
      return skipped("`local/qstash/server.ts` does not exist yet in this checkout, so there is no local QStash to publish to.");
    }
    let helpers: [typeof import("@/harness/stack"), typeof import("@/harness/app")];
    try {
      helpers = await Promise.all([import("@/harness/stack"), import("@/harness/app")]);
    } catch (error) {
      return skipped(`the local stack did not load: ${error instanceof Error ? error.message : String(error)}`);
    }
    const [{ startTestStack }, { startTestApp }] = helpers;

    const stack = await startTestStack({ manual: false });
    // The app's own job route code, wrapped to count: the count proves every message ran, the
    // peak of requests in flight shows how many deliveries the local QStash makes at once.
    const verify = createVerifier({
      currentSigningKey: stack.env.QSTASH_CURRENT_SIGNING_KEY!,
      nextSigningKey: stack.env.QSTASH_NEXT_SIGNING_KEY!,
    });
    let delivered = 0;
    let inFlight = 0;
    let peakInFlight = 0;
    const route = async (request: Request, app: { services: Services }) => {
      peakInFlight = Math.max(peakInFlight, ++inFlight);
      try {
        const response = await handleJobRequest(benchRegistry, "test", request, {
          ...jobRouteDepsOf(app.services, verify),
          runtime: "nodejs",
        });
        if (response.status === 200) delivered++;
        return response;
      } finally {
        inFlight--;
      }
    };
    const app = await startTestApp(stack, { routes: { [JOB_PATH]: route } }).catch(async (error: unknown) => {
      await stack.close();
      throw error;
    });
    const noop = await startNoopServer();
    try {
      const url = jobUrl(app.url, testJob);
      const body = (i: number) => ({ message: `benchmark message ${i}` });

      const publishAndDrain = async () => {
        const before = delivered;
        const elapsed = await timed(async () => {
          await pool(MESSAGES, CONCURRENCY, (i) => app.qstash.publishJSON({ url, body: body(i), retries: 0 }));
          await withTimeout(stack.qstash.idle(), IDLE_TIMEOUT_MS, "delivering a batch");
        });
        if (delivered - before !== MESSAGES) throw new Error(`expected ${MESSAGES} deliveries, saw ${delivered - before}`);
        return elapsed;
      };
      const plainPosts = () =>
        timed(() =>
          pool(MESSAGES, CONCURRENCY, async (i) => {
            const response = await fetch(noop.url, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: JSON.stringify(body(i)),
            });
            await response.arrayBuffer();
          }),
        );

      const result = await withQuietLogs(() =>
        compare(plainPosts, publishAndDrain, { warmup: 1, rounds: 4, perRound: 1, budgetMs: 35_000 }),
      );
      const rate = (ms: number) => formatValue(MESSAGES / (ms / 1000), "msg/s");
      return {
        title: TITLE,
        description: DESCRIPTION,
        table: [
          [...COMPARISON_HEADER, "Median throughput"],
          ...comparisonRows(
            result,
            {
              baseline: `Baseline: ${MESSAGES} plain POSTs, ms per batch`,
              subject: `Subject: ${MESSAGES} jobs published and delivered, ms per batch`,
            },
            "ms",
          ).map((row, index) => [
            ...row,
            index === 0 ? rate(result.baseline.median) : index === 1 ? rate(result.subject.median) : "",
          ]),
        ],
        targets: [],
        notes: [
          `Deliveries in flight at the app at once, at most: ${peakInFlight}.`,
          "The local QStash, the app, the Redis emulator (embedded engine, see scenario 1) and the Resend look-alike share " +
            "one Node.js thread here, so the subject is CPU-bound in that thread; the baseline's server does no work at all.",
          "No target: this shows what the local stack can take in development, not a production figure.",
        ],
      };
    } finally {
      await noop.close();
      await app.close();
      await stack.close();
    }
  },
};
