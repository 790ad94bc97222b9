import { Client } from "@upstash/qstash";
import { systemClock, type Clock } from "./clock";
import { createEmailSender, type EmailSender } from "./email/send";
import { getEnv, type Env } from "./env";
import { createJobQueue, type JobQueue } from "./jobs/enqueue";
import { recordQueued } from "./job-runs/store";
import { verifierFor, type Verifier } from "./qstash/verify";
import { createRedis, type Redis } from "./redis";

/** Everything a job or a producer talks to. Built once per process from the env; tests build their own. */
export interface Services {
  env: Env;
  redis: Redis;
  email: EmailSender;
  queue: JobQueue;
  clock: Clock;
  /** QStash REST client for the messages, schedules and DLQ APIs (publishing goes through `queue`). */
  qstash: Client;
}

export function createServices(env: Env, overrides: Partial<Omit<Services, "env">> = {}): Services {
  const clock = overrides.clock ?? systemClock;
  const redis = overrides.redis ?? createRedis(env);
  const email =
    overrides.email ??
    createEmailSender({ apiKey: env.RESEND_API_KEY, baseUrl: env.RESEND_BASE_URL, from: env.EMAIL_FROM });
  const qstash = overrides.qstash ?? new Client({ baseUrl: env.QSTASH_URL, token: env.QSTASH_TOKEN });
  const queue =
    overrides.queue ??
    createJobQueue({
      client: qstash,
      appUrl: env.APP_URL,
      onPublished: (published) => recordQueued(redis, published, clock.now()),
    });
  return { env, redis, email, queue, clock, qstash };
}

let shared: Services | undefined;

/** The process-wide services, from the validated environment. */
export function getServices(): Services {
  shared ??= createServices(getEnv());
  return shared;
}

let sharedVerifier: Verifier | undefined;

/** The process-wide QStash signature verifier, shared by every route that QStash calls. */
export function getVerifier(): Verifier {
  sharedVerifier ??= verifierFor(getEnv());
  return sharedVerifier;
}
