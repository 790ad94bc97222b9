import { parseEnv } from "@/lib/env";
import {
  handleJobRequest,
  type AnyJobRegistry as JobRegistry,
  jobUrl,
  createRedisScripts,
  nodeHttpFetch,
  createVerifier,
  type RedisScriptsClient,
  type Verifier,
} from "@/lib/job-runtime";
import { testJob } from "@/lib/jobs/test";
import { jobs } from "@/lib/jobs/registry";
import { createServices, type Services, jobRouteDepsOf } from "@/lib/services";
import { startRedisRestServer, type RedisRestServer } from "@/local/redis/server";
import { startCountingProxy, type CountingProxy } from "@/harness/counting-proxy";
import { DEV_CURRENT_SIGNING_KEY as DEV_CURRENT_KEY, DEV_NEXT_SIGNING_KEY as DEV_NEXT_KEY } from "@/local/qstash/credentials";
import { signedDeliveryRequest as signedRequest } from "@/local/qstash/signing";

/** Only the `test` job: the benchmarks must not depend on other jobs being finished or configured. */
export const benchRegistry: JobRegistry = { test: jobs.test };

/** Nothing listens here: in-process deliveries only need the URL the signature is checked against. */
const APP_URL = "http://127.0.0.1:3000";

export interface JobRoute {
  redis: RedisRestServer;
  services: Services;
  verify: Verifier;
  /** Counts requests reaching the REST server, when asked for. */
  proxy: CountingProxy | undefined;
  /** The job URL deliveries are signed for. */
  url: string;
  /** A freshly signed delivery of the `test` job, as QStash would send it. */
  request(messageId: string, message?: string): Request;
  /**
   * What the route hands the idempotency guard to run its scripts, as the route gets it: the small REST
   * client production claims with (lib/job-route-deps.ts), on the same REST server.
   */
  scripts: RedisScriptsClient;
  /** One delivery through the real route code, answered but not read. */
  answer(request: Request): Promise<Response>;
  /** One delivery through the real route code; throws unless it answered 200. */
  deliver(request: Request): Promise<{ duplicate: boolean }>;
  close(): Promise<void>;
}

/** The job route's dependencies wired like production, with Redis = the local REST emulator on loopback. */
export async function startJobRoute(options: { redisUrl?: string; countRoundTrips?: boolean } = {}): Promise<JobRoute> {
  const redis = await startRedisRestServer({
    port: 0,
    host: "127.0.0.1",
    ...(options.redisUrl && { redisUrl: options.redisUrl }),
  });
  // A proxy in front of the REST server counts every request the route makes.
  const proxy = options.countRoundTrips ? await startCountingProxy(redis.url) : undefined;
  const env = parseEnv({
    QSTASH_TOKEN: "bench-token",
    QSTASH_CURRENT_SIGNING_KEY: DEV_CURRENT_KEY,
    QSTASH_NEXT_SIGNING_KEY: DEV_NEXT_KEY,
    UPSTASH_REDIS_REST_URL: proxy?.url ?? redis.url,
    UPSTASH_REDIS_REST_TOKEN: redis.token,
    RESEND_API_KEY: "re_bench",
    APP_URL,
  });
  const services = createServices(env);
  // The transport the app's job route uses (lib/job-route-deps.ts), for the route and its floor alike.
  const scripts = createRedisScripts({
    url: env.UPSTASH_REDIS_REST_URL,
    token: env.UPSTASH_REDIS_REST_TOKEN,
    fetch: nodeHttpFetch(),
  });
  const verify = createVerifier({ currentSigningKey: DEV_CURRENT_KEY, nextSigningKey: DEV_NEXT_KEY });
  const url = jobUrl(APP_URL, testJob);
  // Built once, as the app's route does (getJobRouteDeps), not once per delivery.
  const routeDeps = { ...jobRouteDepsOf(services, verify), redis: scripts, runtime: "nodejs" as const };
  return {
    redis,
    services,
    verify,
    url,
    request: (messageId, message = "hello from the benchmark") =>
      signedRequest({ url, body: JSON.stringify({ message }), messageId }),
    scripts,
    answer: (request) => handleJobRequest(benchRegistry, "test", request, routeDeps),
    async deliver(request) {
      return delivered(await handleJobRequest(benchRegistry, "test", request, routeDeps));
    },
    proxy,
    async close() {
      await proxy?.close();
      await redis.close();
    },
  };
}

/** Reads a route's answer: throws unless it is a 200, and says whether it was a duplicate. */
export async function delivered(response: Response): Promise<{ duplicate: boolean }> {
  const body = (await response.json()) as { duplicate?: boolean; error?: string };
  if (response.status !== 200) throw new Error(`delivery answered ${response.status}: ${JSON.stringify(body)}`);
  return { duplicate: body.duplicate === true };
}

/**
 * The route logs one JSON line per delivery. Printing thousands of them would
 * measure the terminal, not the route, and bury the bench output.
 */
export async function withQuietLogs<T>(fn: () => Promise<T>): Promise<T> {
  const saved = { info: console.info, warn: console.warn };
  console.info = () => {};
  console.warn = () => {};
  try {
    return await fn();
  } finally {
    Object.assign(console, saved);
  }
}
