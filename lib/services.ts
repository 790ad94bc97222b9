import { Client } from "@upstash/qstash";
import type { AdminApiDeps } from "./admin/api";
import type { Services } from "./deps";
import type { EmailSender, EmailSenderConfig } from "./email/send";
import { type Env, getEnv } from "./env";
import {
  type Clock,
  systemClock,
  createJobQueue,
  type FailureCallbackDeps,
  type FinalFailure,
  type JobRouteDeps,
  createRedis,
  protectionBypassHeaders,
  type Verifier,
  verifierFor,
} from "./job-runtime";
import type { JobDeps } from "./jobs/context";
import { durableQueue } from "./jobs/outbox";
import { publishDlqAlert } from "./jobs/dlq-alert";
import { configuredPaces } from "./email/pace";

/**
 * The composition root: the only module that knows which implementation of
 * each collaborator runs. Everything else receives what it needs as parameters.
 *
 * Built on first use, so a cold request pays only for what it touches: a job
 * delivery needs the Redis client for its claim; the QStash client, the queue
 * and the email sender are made when a handler first reaches for them, and the
 * Resend SDK and the DLQ alert (its React Email template) are loaded with
 * `import()` on their first send, outside the job route's first chunks.
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
  // Client-wide headers reach every publish, batch, schedule and outbox sweep, and nothing else.
  const qstashClient = (options: { retry?: false } = {}) =>
    new Client({
      baseUrl: env.QSTASH_URL,
      token: env.QSTASH_TOKEN,
      headers: protectionBypassHeaders(env.VERCEL_AUTOMATION_BYPASS_SECRET),
      ...options,
    });
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
      qstash ??= qstashClient();
      return qstash;
    },
    get outboxQstash() {
      // No SDK retries (about 4 s of backoff per refused publish): a refused entry waits for the sweep anyway.
      outboxQstash ??= qstashClient({ retry: false });
      return outboxQstash;
    },
    get queue() {
      queue ??= createJobQueue({
        client: services.qstash,
        appUrl: env.APP_URL,
        // Nothing but the publish on the producer's path: "queued" is read back from QStash (see findRun).
        paces: configuredPaces(env.RESEND_RATE_LIMIT_PER_SECOND),
      });
      return queue;
    },
  };
  return services;
}

/** Loads the Resend SDK on the first send: most requests (and most job deliveries) never send an email. */
function lazyEmailSender(config: EmailSenderConfig): EmailSender {
  let sender: Promise<EmailSender> | undefined;
  return {
    async send(message, options) {
      sender ??= import("./email/send").then(
        ({ createEmailSender }) => createEmailSender(config),
        (error: unknown) => {
          sender = undefined;
          throw error;
        },
      );
      return (await sender).send(message, options);
    },
  };
}

/** What job handlers get: a slice of the services, not the whole bag, each still built on first use. */
export function jobDepsOf(services: Services): JobDeps {
  return {
    appUrl: services.env.APP_URL,
    clock: services.clock,
    get redis() {
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
  let followUp: Promise<(failure: FinalFailure) => Promise<void>> | undefined;
  return {
    appUrl,
    redis,
    clock,
    verify,
    maxBodyBytes: services.env.JOB_MAX_BODY_BYTES,
    // Loaded on the first dead message: it renders the alert with React Email, which no delivery needs.
    async onFirstFailure(failure) {
      followUp ??= import("./dlq/failure-follow-up").then(
        ({ createFailureFollowUp }) =>
          createFailureFollowUp({
            redis,
            clock,
            alertAdmin: adminEmail ? (failure) => publishDlqAlert(services.queue, failure, adminEmail) : undefined,
          }),
        (error: unknown) => {
          followUp = undefined;
          throw error;
        },
      );
      await (await followUp)(failure);
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
