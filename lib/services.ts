import type { AdminApiDeps } from "./admin/api";
import type { Services } from "./deps";
import { type Env, getEnv } from "./env";
import {
  type Clock,
  systemClock,
  type FailureCallbackDeps,
  type JobRouteDeps,
  createRedis,
  loadOnce,
  type Verifier,
  verifierFor,
} from "./job-runtime";
import { jobQueueFor, lazyEmailSender, qstashClientFor } from "./job-route-deps";
import type { JobDeps } from "./jobs/context";
import { durableQueue } from "./jobs/outbox";
import { publishDlqAlert } from "./jobs/dlq-alert";

/**
 * The composition root: the only module that knows which implementation of
 * each collaborator runs. Everything else receives what it needs as parameters.
 *
 * Built on first use, so a request pays only for what it touches: the QStash
 * client, the queue and the email sender are made when something first reaches
 * for them, and the Resend SDK and the DLQ alert (its React Email template) are
 * loaded with `import()` on their first send. The job routes build their own
 * dependencies with lib/job-route-deps.ts, which loads none of this module.
 */
export type { Services };

export function createServices(env: Env, overrides: Partial<Omit<Services, "env">> = {}): Services {
  const clock: Clock = overrides.clock ?? systemClock;
  let redis = overrides.redis;
  let email = overrides.email;
  let qstash = overrides.qstash;
  // A QStash client handed in (a test's) serves the outbox too, unless one is given for it.
  let outboxQstash = overrides.outboxQstash ?? overrides.qstash;
  let queue = overrides.queue;
  const services: Services = {
    env,
    clock,
    get redis() {
      redis ??= createRedis(env);
      return redis;
    },
    get email() {
      email ??= lazyEmailSender({ apiKey: env.RESEND_API_KEY, baseUrl: env.RESEND_BASE_URL, from: env.EMAIL_FROM });
      return email;
    },
    get qstash() {
      qstash ??= qstashClientFor(env);
      return qstash;
    },
    get outboxQstash() {
      // No SDK retries (about 4 s of backoff per refused publish): a refused entry waits for the sweep anyway.
      outboxQstash ??= qstashClientFor(env, { retry: false });
      return outboxQstash;
    },
    get queue() {
      queue ??= jobQueueFor(env, services.qstash);
      return queue;
    },
  };
  return services;
}

/** What job handlers get: a slice of the services, not the whole bag, each still built on first use. */
export function jobDepsOf(services: Services): JobDeps {
  return {
    appUrl: services.env.APP_URL,
    clock: services.clock,
    async redis() {
      return services.redis;
    },
    get email() {
      return services.email;
    },
    get queue() {
      return services.queue;
    },
    get qstash() {
      return services.qstash;
    },
  };
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
  const { redis, clock } = services;
  const appUrl = services.env.APP_URL;
  const adminEmail = services.env.ADMIN_EMAIL;
  // Loaded on the first dead message: it renders the alert with React Email, which no delivery needs.
  const followUp = loadOnce(() =>
    import("./dlq/failure-follow-up").then(({ createFailureFollowUp }) =>
      createFailureFollowUp({
        redis,
        clock,
        alertAdmin: adminEmail ? (failure) => publishDlqAlert(services.queue, failure, adminEmail) : undefined,
      }),
    ),
  );
  return {
    appUrl,
    redis,
    clock,
    verify,
    maxBodyBytes: services.env.JOB_MAX_BODY_BYTES,
    async onFirstFailure(failure) {
      await (await followUp())(failure);
    },
  };
}

/** What the admin API needs: the token that turns it on, QStash, Redis and the app's outbox. */
export function adminApiDepsOf(services: Services): AdminApiDeps {
  return {
    adminToken: services.env.ADMIN_TOKEN,
    qstash: services.qstash,
    redis: services.redis,
    clock: services.clock,
    outbox: durableQueue(services),
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

/** The failure-callback route's dependencies. */
export function getFailureCallbackDeps(): FailureCallbackDeps {
  return failureCallbackDepsOf(getServices(), getVerifier());
}
