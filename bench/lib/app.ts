import { performance } from "node:perf_hooks";
import { Client } from "@upstash/qstash";
import { parseEnv } from "@/lib/env";
import { handleJobRequest, JOB_ROUTE_PREFIX, jobUrl } from "@/lib/job-runtime";
import { jobRouteDepsFor } from "@/lib/job-route-deps";
import { testJob } from "@/lib/jobs/test";
import { serveFetch } from "@/harness/http";
import { benchRegistry } from "./fixtures";

export interface BenchApp {
  /** The `test` job's URL on this app, as QStash calls it. */
  jobUrl: string;
  qstash: Client;
  /** Deliveries answered 200 so far. */
  readonly done: number;
  /** When each delivered message (by Upstash-Message-Id) finished, `performance.now()` ms. */
  doneAt: Map<string, number>;
  /** Resolves once `count` deliveries have been answered 200 in all. */
  waitForDone(count: number, timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * The app's job route (the real route code, `test` job only) on a node:http
 * server in this process, pointed at a stack; QStash delivers to it over loopback.
 */
export async function startBenchApp(stackEnv: Record<string, string>): Promise<BenchApp> {
  let done = 0;
  const failures = new Map<number | string, number>();
  const doneAt = new Map<string, number>();
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  // The Node.js job route's own dependencies (its claim client included), as `next start` builds them.
  let routeDeps: ReturnType<typeof jobRouteDepsFor> | undefined;
  const prefix = `${JOB_ROUTE_PREFIX.nodejs}/${testJob.name}`;
  const server = await serveFetch(async (request) => {
    if (!routeDeps || new URL(request.url).pathname !== prefix) return new Response("not found", { status: 404 });
    let response: Response;
    try {
      response = await handleJobRequest(benchRegistry, testJob.name, request, { ...routeDeps, runtime: "nodejs" });
    } catch (error) {
      const key = `threw ${error instanceof Error ? error.message : String(error)}`;
      failures.set(key, (failures.get(key) ?? 0) + 1);
      throw error;
    }
    if (response.status !== 200) failures.set(response.status, (failures.get(response.status) ?? 0) + 1);
    if (response.status === 200) {
      done++;
      const messageId = request.headers.get("upstash-message-id");
      if (messageId) doneAt.set(messageId, performance.now());
      for (const waiter of waiters.filter((waiter) => done >= waiter.count)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
    return response;
  });
  const env = parseEnv({ ...stackEnv, APP_URL: server.url });
  routeDeps = jobRouteDepsFor(env);
  const qstash = new Client({ baseUrl: env.QSTASH_URL, token: env.QSTASH_TOKEN, enableTelemetry: false });
  return {
    jobUrl: jobUrl(server.url, testJob),
    qstash,
    get done() {
      return done;
    },
    doneAt,
    waitForDone(count, timeoutMs) {
      if (done >= count) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(
                `only ${done} of ${count} deliveries done after ${timeoutMs} ms; other answers: ${JSON.stringify(Object.fromEntries(failures))}`,
              ),
            ),
          timeoutMs,
        );
        waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      }).catch(async (error: unknown) => {
        // Deliveries that never reached the route end in the DLQ: say why.
        const dead = await qstash.dlq.listMessages({ count: 5 }).catch(() => ({ messages: [] }));
        const reasons = dead.messages.map((message) =>
          `${message.responseStatus ?? ""} ${(message as { error?: string }).error ?? message.responseBody ?? ""}`.trim(),
        );
        throw new Error(`${error instanceof Error ? error.message : String(error)}; DLQ: ${JSON.stringify(reasons)}`);
      });
    },
    close: server.close,
  };
}
