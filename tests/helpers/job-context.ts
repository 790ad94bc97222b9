import { createLogger, fixedClock, type JobContext, type JobQueue, type Redis } from "@/lib/job-runtime";
import type { EmailFailure } from "@/lib/email/send";
import type { JobDeps } from "@/lib/jobs/context";
import { createServices, jobDepsOf, type Services } from "@/lib/services";
import { testEnv } from "./env";
import { fakeEmail } from "./fake-services";

/** A handler's context for calling a job directly in a test: the services' job slice plus delivery facts. */
export function jobContextFor(services: Services, overrides: Partial<JobContext> = {}): JobContext & JobDeps {
  const jobName = overrides.jobName ?? "job";
  const messageId = overrides.messageId ?? "msg_1";
  return {
    ...jobDepsOf(services),
    jobName,
    messageId,
    idempotencyKey: `${jobName}/${messageId}`,
    retried: 0,
    maxRetries: 3,
    signal: new AbortController().signal,
    // Quiet: a test asserts on results, not on log lines.
    log: createLogger({}, () => {}),
    ...overrides,
  };
}

/** 2025-01-15 12:30:00 UTC — 20:30 in Ulaanbaatar (UTC+8). */
export const NOW = Date.UTC(2025, 0, 15, 12, 30);

/**
 * A Redis that only accepts the email log's MULTI (recorded, never executed):
 * any other command fails the test, so a handler under unit test can't reach
 * state it was not handed through its injected loaders.
 */
function emailLogOnlyRedis() {
  const transactions: Array<Array<[string, ...unknown[]]>> = [];
  const redis = new Proxy(
    {},
    {
      get(_target, name) {
        if (name === "multi") {
          return () => {
            const commands: Array<[string, ...unknown[]]> = [];
            const tx: object = new Proxy(
              {},
              {
                get(_t, method) {
                  if (method === "exec") {
                    return async () => {
                      transactions.push(commands);
                      return [];
                    };
                  }
                  return (...args: unknown[]) => {
                    commands.push([String(method), ...args]);
                    return tx;
                  };
                },
              },
            );
            return tx;
          };
        }
        if (name === "then") return undefined;
        return () => {
          throw new Error(`unexpected redis.${String(name)} call in a unit test`);
        };
      },
    },
  );
  return { redis: redis as unknown as Redis, transactions };
}

const noQueue: JobQueue = {
  enqueue: () => Promise.reject(new Error("jobs under unit test don't enqueue")),
  enqueueMany: () => Promise.reject(new Error("jobs under unit test don't enqueue")),
};

/**
 * A context for a job whose data arrives through injected loaders: it can write
 * only the email log (see emailLogOnlyRedis) and can't enqueue. `emailFailures`
 * are Resend's answers to the first sends, in order; later sends succeed.
 */
export function isolatedJobContext(
  options: { emailFailures?: EmailFailure[]; nowMs?: number; idempotencyKey?: string; retried?: number } = {},
) {
  const email = fakeEmail();
  for (const failure of options.emailFailures ?? []) email.failNext(failure);
  const redis = emailLogOnlyRedis();
  // createServices fills in what a handler under test never touches (the QStash client makes no calls until used).
  const services: Services = createServices(testEnv(), {
    redis: redis.redis,
    email,
    queue: noQueue,
    clock: fixedClock(options.nowMs ?? NOW),
  });
  const context = jobContextFor(services, {
    idempotencyKey: options.idempotencyKey ?? "job/key",
    retried: options.retried ?? 0,
  });
  return { context, services, sent: email.sent, emailLog: redis.transactions };
}
