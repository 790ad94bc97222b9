import { Client } from "@upstash/qstash";
import {
  fixedClock,
  type AnyJob,
  buildRequest,
  type EnqueueOptions,
  type JobQueue,
  handleJobRequest,
  type AnyJobRegistry,
  jobUrl,
  createVerifier,
  createRedis,
} from "@/lib/job-runtime";
import type { EmailFailure, EmailMessage, EmailSender } from "@/lib/email/send";
import type { Env } from "@/lib/env";
import { jobs as defaultRegistry } from "@/lib/jobs/registry";
import { createServices, jobRouteDepsOf, type Services } from "@/lib/services";
import { testEnv } from "./env";
import { DEV_CURRENT_KEY, DEV_NEXT_KEY, signedRequest } from "./qstash-signature";

/**
 * Collaborators for unit tests of jobs and producers: a recording email sender,
 * a queue that validates like the real one but publishes nothing, a fixed clock.
 * Redis and QStash REST calls go to `env` URLs, which msw answers (see tests/msw).
 */

export function fakeEmail() {
  const sent: EmailMessage[] = [];
  const failures: EmailFailure[] = [];
  let counter = 0;
  const sender: EmailSender & { sent: EmailMessage[]; failNext(failure: EmailFailure): void; attempts: number } = {
    sent,
    attempts: 0,
    failNext(failure) {
      failures.push(failure);
    },
    async send(message) {
      sender.attempts++;
      const failure = failures.shift();
      if (failure) return { ok: false, error: failure };
      sent.push(message);
      return { ok: true, id: `email_${++counter}` };
    },
  };
  return sender;
}

interface QueuedJob {
  messageId: string;
  job: string;
  payload: unknown;
  options: EnqueueOptions;
  request: ReturnType<typeof buildRequest>;
}

function fakeQueue(appUrl: string) {
  const published: QueuedJob[] = [];
  const byDedupId = new Map<string, string>();
  let counter = 0;
  const queue: JobQueue & { published: QueuedJob[]; failNext?: Error } = {
    published,
    async enqueue(job, payload, options = {}) {
      const request = buildRequest(appUrl, job, payload, options);
      if (queue.failNext) {
        const error = queue.failNext;
        queue.failNext = undefined;
        throw error;
      }
      const seen = options.deduplicationId ? byDedupId.get(options.deduplicationId) : undefined;
      if (seen) return { messageId: seen, deduplicated: true };
      const messageId = `msg_${++counter}`;
      if (options.deduplicationId) byDedupId.set(options.deduplicationId, messageId);
      published.push({ messageId, job: job.name, payload, options, request });
      return { messageId, deduplicated: false };
    },
    async enqueueMany(items) {
      const results = [];
      for (const item of items) results.push(await queue.enqueue(item.job, item.payload, item.options));
      return results;
    },
  };
  return queue;
}

export function fakeServices(options: { env?: Env; nowMs?: number } = {}) {
  const env = options.env ?? testEnv();
  const clock = fixedClock(options.nowMs ?? Date.UTC(2026, 0, 15, 9, 0, 0));
  const email = fakeEmail();
  const queue = fakeQueue(env.APP_URL);
  const qstash = new Client({ baseUrl: env.QSTASH_URL, token: env.QSTASH_TOKEN, enableTelemetry: false, retry: false });
  const services = createServices(env, { redis: createRedis(env), email, queue, clock, qstash });
  return { services, env, clock, email, queue };
}

/** Delivers `payload` to `job` through the real route logic (signature, zod, idempotency) and returns the answer. */
export async function deliver(
  services: Services,
  job: AnyJob,
  payload: unknown,
  options: { messageId?: string; retried?: number; registry?: AnyJobRegistry } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const url = jobUrl(services.env.APP_URL, job);
  const request = signedRequest({
    url,
    body: JSON.stringify(payload),
    messageId: options.messageId,
    retried: options.retried,
  });
  const verify = createVerifier({ currentSigningKey: DEV_CURRENT_KEY, nextSigningKey: DEV_NEXT_KEY });
  const response = await handleJobRequest(options.registry ?? defaultRegistry, job.name, request, {
    ...jobRouteDepsOf(services, verify),
    runtime: job.runtime ?? "nodejs",
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
