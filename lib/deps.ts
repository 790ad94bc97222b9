import type { Client } from "@upstash/qstash";
import type { EmailSender } from "./email/send";
import type { Env } from "./env";
import type { Clock, JobQueue, Redis } from "./job-runtime";

/**
 * Everything the app's producers and pages talk to. Only `lib/services.ts`
 * decides which implementation runs; modules take this (or a slice of it) as a
 * parameter, and tests build their own.
 */
export interface Services {
  env: Env;
  redis: Redis;
  email: EmailSender;
  queue: JobQueue;
  clock: Clock;
  /** QStash REST client for the messages, schedules and DLQ APIs (publishing goes through `queue`). */
  qstash: Client;
  /**
   * The same QStash account through a client that does not retry a failed
   * request: the outbox publishes with it, because a refused entry stays in
   * Redis for the sweep, and retrying would only hold up the producer's answer.
   */
  outboxQstash: Client;
}
