import { fixedClock, type JobContext, type JobQueue, type Redis, createLogger } from "@/lib/job-runtime";
import type { EmailMessage, EmailSender, SendResult } from "@/lib/email/send";
import type { JobDeps } from "@/lib/jobs/context";
import { createServices, jobDepsOf, type Services } from "@/lib/services";
import { testEnv } from "../../helpers/env";

/** 2025-01-15 12:30:00 UTC — 20:30 in Ulaanbaatar (UTC+8). */
export const NOW = Date.UTC(2025, 0, 15, 12, 30);

/**
 * A Redis that only accepts the email log's MULTI (recorded, never executed):
 * any other command fails the test, so a handler under unit test can't reach
 * state it was not handed through its injected loaders.
 */
export function fakeRedis() {
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

/** Records every send; answers from `replies` in order, then with success. */
export function fakeEmail(replies: SendResult[] = []) {
  const sent: EmailMessage[] = [];
  const sender: EmailSender = {
    async send(message) {
      sent.push(message);
      return replies.shift() ?? { ok: true, id: `email_${sent.length}` };
    },
  };
  return { sender, sent };
}

const noQueue: JobQueue = {
  enqueue: () => Promise.reject(new Error("jobs under unit test don't enqueue")),
  enqueueMany: () => Promise.reject(new Error("jobs under unit test don't enqueue")),
};

export function fakeContext(options: { replies?: SendResult[]; nowMs?: number; idempotencyKey?: string; retried?: number } = {}) {
  const email = fakeEmail(options.replies);
  const redis = fakeRedis();
  // createServices fills in what a handler under test never touches (the QStash client makes no calls until used).
  const services: Services = createServices(testEnv(), {
    redis: redis.redis,
    email: email.sender,
    queue: noQueue,
    clock: fixedClock(options.nowMs ?? NOW),
  });
  const context: JobContext & JobDeps = {
    ...jobDepsOf(services),
    jobName: "job",
    messageId: "msg_1",
    idempotencyKey: options.idempotencyKey ?? "job/key",
    retried: options.retried ?? 0,
    maxRetries: 3,
    signal: new AbortController().signal,
    log: createLogger({}, () => {}),
  };
  return { context, services, sent: email.sent, emailLog: redis.transactions };
}
