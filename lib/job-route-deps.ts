import { Client } from "@upstash/qstash";
import { configuredPaces } from "./email/pace";
import type { EmailSender, EmailSenderConfig } from "./email/send";
import { type Env, getEnv } from "./env";
import {
  type Clock,
  createJobQueue,
  createRedisScripts,
  type JobQueue,
  loadOnce,
  type JobRouteDeps,
  nodeHttpFetch,
  protectionBypassHeaders,
  systemClock,
  verifierFor,
} from "./job-runtime";
import type { JobDeps } from "./jobs/context";

/**
 * The part of the composition root a job route loads; `lib/services.ts` is the
 * rest, and builds its QStash clients, queue and email sender with the same
 * functions. Kept apart because a cold delivery should load only what it uses:
 * the claim runs on a small Redis REST client of the runtime's
 * (`createRedisScripts`, over `node:http` on Node.js), and the full `@upstash/redis` SDK, the Resend SDK and
 * every store stay out of the route's chunks until a handler reaches for them.
 */

/** A QStash client with the deployment's client-wide headers, which reach every publish, batch and schedule. */
export function qstashClientFor(env: Env, options: { retry?: false } = {}): Client {
  return new Client({
    baseUrl: env.QSTASH_URL,
    token: env.QSTASH_TOKEN,
    headers: protectionBypassHeaders(env.VERCEL_AUTOMATION_BYPASS_SECRET),
    ...options,
  });
}

/** The app's queue: every publish carries the paces as configured. */
export function jobQueueFor(env: Env, client: Client): JobQueue {
  // Nothing but the publish on the producer's path: "queued" is read back from QStash (see findRun).
  return createJobQueue({ client, appUrl: env.APP_URL, paces: configuredPaces(env.RESEND_RATE_LIMIT_PER_SECOND) });
}

/** Loads the Resend SDK on the first send: most requests (and most job deliveries) never send an email. */
export function lazyEmailSender(config: EmailSenderConfig): EmailSender {
  const sender = loadOnce(() => import("./email/send").then(({ createEmailSender }) => createEmailSender(config)));
  return {
    async send(message, options) {
      return (await sender()).send(message, options);
    },
  };
}

/**
 * The handlers' dependencies on a job route, each made on first use. Redis is a
 * promise because its SDK is a chunk of its own, loaded by the first handler that
 * asks for it (a failed load is retried on the next call).
 */
function routeJobDeps(env: Env, clock: Clock): JobDeps {
  // The runtime's Redis module itself, not its entry file: importing the whole runtime here would put all of it in the chunk.
  const redis = loadOnce(() => import("./job-runtime/redis").then(({ createRedis }) => createRedis(env)));
  let email: EmailSender | undefined;
  let qstash: Client | undefined;
  let queue: JobQueue | undefined;
  const qstashClient = () => {
    qstash ??= qstashClientFor(env);
    return qstash;
  };
  return {
    appUrl: env.APP_URL,
    clock,
    redis,
    get email() {
      email ??= lazyEmailSender({ apiKey: env.RESEND_API_KEY, baseUrl: env.RESEND_BASE_URL, from: env.EMAIL_FROM });
      return email;
    },
    get qstash() {
      return qstashClient();
    },
    get queue() {
      queue ??= jobQueueFor(env, qstashClient());
      return queue;
    },
  };
}

/**
 * A job route's dependencies for one environment: what `getJobRouteDeps` builds on
 * the first delivery, and what the benchmarks run the route with.
 */
export function jobRouteDepsFor(env: Env): Omit<JobRouteDeps<JobDeps>, "runtime"> {
  return {
    appUrl: env.APP_URL,
    // Over node:http where there is one: the global fetch's first call costs a cold delivery tens of ms (ADR 0024).
    redis: createRedisScripts({ url: env.UPSTASH_REDIS_REST_URL, token: env.UPSTASH_REDIS_REST_TOKEN, fetch: nodeHttpFetch() }),
    clock: systemClock,
    verify: verifierFor(env),
    maxDurationSeconds: env.JOB_MAX_DURATION_SECONDS,
    maxBodyBytes: env.JOB_MAX_BODY_BYTES,
    jobDeps: routeJobDeps(env, systemClock),
  };
}

let shared: Omit<JobRouteDeps<JobDeps>, "runtime"> | undefined;

/** The job routes' dependencies, built on the first delivery from the validated environment. */
export function getJobRouteDeps(): Omit<JobRouteDeps<JobDeps>, "runtime"> {
  shared ??= jobRouteDepsFor(getEnv());
  return shared;
}
