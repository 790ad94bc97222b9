import { Client } from "@upstash/qstash";
import type { Services } from "./deps";
import { createFailureFollowUp } from "./dlq/failure-follow-up";
import { createEmailSender } from "./email/send";
import { type Env, getEnv } from "./env";
import {
  type Clock,
  systemClock,
  createJobQueue,
  type FailureCallbackDeps,
  type JobRouteDeps,
  createRedis,
  protectionBypassHeaders,
  type Verifier,
  verifierFor,
} from "./job-runtime";
import type { JobDeps } from "./jobs/context";
import { configuredPaces } from "./email/pace";

/**
 * The composition root: the only module that knows which implementation of
 * each collaborator runs. Everything else receives what it needs as parameters.
 */
export type { Services };

export function createServices(env: Env, overrides: Partial<Omit<Services, "env">> = {}): Services {
  const clock: Clock = overrides.clock ?? systemClock;
  const redis = overrides.redis ?? createRedis(env);
  const email =
    overrides.email ?? createEmailSender({ apiKey: env.RESEND_API_KEY, baseUrl: env.RESEND_BASE_URL, from: env.EMAIL_FROM });
  // Client-wide headers reach every publish, batch, schedule and outbox sweep, and nothing else.
  const qstash =
    overrides.qstash ??
    new Client({
      baseUrl: env.QSTASH_URL,
      token: env.QSTASH_TOKEN,
      headers: protectionBypassHeaders(env.VERCEL_AUTOMATION_BYPASS_SECRET),
    });
  const queue =
    overrides.queue ??
    createJobQueue({
      client: qstash,
      appUrl: env.APP_URL,
      // Nothing but the publish on the producer's path: "queued" is read back from QStash (see findRun).
      paces: configuredPaces(env.RESEND_RATE_LIMIT_PER_SECOND),
    });
  return { env, redis, email, queue, clock, qstash };
}

/** What job handlers get: a slice of the services, not the whole bag. */
export function jobDepsOf(services: Services): JobDeps {
  const { redis, email, queue, clock, qstash } = services;
  return { redis, email, queue, clock, qstash, appUrl: services.env.APP_URL };
}

/** What the job routes need, from the services and the verifier. */
export function jobRouteDepsOf(services: Services, verify: Verifier): Omit<JobRouteDeps<JobDeps>, "runtime"> {
  return {
    appUrl: services.env.APP_URL,
    redis: services.redis,
    clock: services.clock,
    verify,
    maxDurationSeconds: services.env.JOB_MAX_DURATION_SECONDS,
    maxBodyBytes: services.env.JOB_MAX_BODY_BYTES,
    jobDeps: jobDepsOf(services),
  };
}

/** What the failure-callback route needs; a dead message also marks the email log and alerts ADMIN_EMAIL once. */
export function failureCallbackDepsOf(services: Services, verify: Verifier): FailureCallbackDeps {
  const { redis, clock, email } = services;
  const appUrl = services.env.APP_URL;
  return {
    appUrl,
    redis,
    clock,
    verify,
    maxBodyBytes: services.env.JOB_MAX_BODY_BYTES,
    onFirstFailure: createFailureFollowUp({ redis, email, clock, appUrl, adminEmail: services.env.ADMIN_EMAIL }),
  };
}

let shared: Services | undefined;

/** The process-wide services, from the validated environment. */
export function getServices(): Services {
  shared ??= createServices(getEnv());
  return shared;
}

let sharedVerifier: Verifier | undefined;

/** The process-wide QStash signature verifier, shared by every route that QStash calls. */
function getVerifier(): Verifier {
  sharedVerifier ??= verifierFor(getEnv());
  return sharedVerifier;
}

let sharedJobRouteDeps: Omit<JobRouteDeps<JobDeps>, "runtime"> | undefined;

/** The job routes' dependencies, built on the first delivery. */
export function getJobRouteDeps(): Omit<JobRouteDeps<JobDeps>, "runtime"> {
  sharedJobRouteDeps ??= jobRouteDepsOf(getServices(), getVerifier());
  return sharedJobRouteDeps;
}

/** The failure-callback route's dependencies. */
export function getFailureCallbackDeps(): FailureCallbackDeps {
  return failureCallbackDepsOf(getServices(), getVerifier());
}
