import type { z } from "zod";
import type { Services } from "../services";

/** Where QStash delivers a job: the Node.js route (default) or the opt-in Edge route. */
export type JobRuntime = "nodejs" | "edge";

/**
 * `(payload) => string`, declared as a method so its parameter is bivariant like
 * `handler`'s: a job whose key reads its typed payload still fits `JobDefinition`.
 */
type PayloadFunction<Payload> = { derive(payload: Payload): string }["derive"];

export interface JobFlowControl<Payload> {
  /** Jobs sharing a key share the limits; a function derives it from the payload (e.g. per organisation). */
  key: string | PayloadFunction<Payload>;
  /** Maximum deliveries in flight for the key. */
  parallelism?: number;
  /** Maximum deliveries started per `period`. */
  rate?: number;
  /** Window for `rate`, in seconds. @default 1 */
  period?: number;
}

/** What a handler gets besides its payload. Collaborators arrive here so handlers test plainly. */
export interface JobContext {
  /** `Upstash-Message-Id` of this delivery. */
  messageId: string;
  /** The key that guards this job against running twice (its `idempotencyKey` or the message id). */
  idempotencyKey: string;
  /** Retries made before this attempt (0 on the first attempt). */
  retried: number;
  /** Retries QStash will make in total. */
  maxRetries: number;
  /** Fires shortly before the platform's time limit; pass it to fetches and stop early. */
  signal: AbortSignal;
  services: Services;
}

/** A handler may return a small JSON-able result; it is echoed in the 200 answer and the run record. */
export type JobResult = Record<string, unknown> | void;

export interface JobDefinition<Schema extends z.ZodType = z.ZodType> {
  /** URL segment and registry key: `/api/jobs/<name>`. Lower-case kebab-case. */
  name: string;
  /** Validates the payload on both sides: before publishing and on delivery. */
  schema: Schema;
  /** Retries after the first attempt (QStash `Upstash-Retries`). */
  retries: number;
  /** QStash retry-delay expression in milliseconds, with `retried` (0 on the first retry). */
  retryDelay?: string;
  /** Per-attempt time limit in seconds (QStash `Upstash-Timeout`). */
  timeout?: number;
  flowControl?: JobFlowControl<z.output<Schema>>;
  /** A stable business key (e.g. `signin/<eventId>`); defaults to the message id. */
  idempotencyKey?(payload: z.output<Schema>): string;
  /** @default "nodejs" */
  runtime?: JobRuntime;
  handler(payload: z.output<Schema>, context: JobContext): Promise<JobResult>;
}

/** Payload a producer passes (schema input, before defaults and transforms). */
export type JobInput<Job> = Job extends JobDefinition<infer S> ? z.input<S> : never;
/** Payload a handler receives (schema output). */
export type JobPayload<Job> = Job extends JobDefinition<infer S> ? z.output<S> : never;

const JOB_NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** Declares a job; the payload type of `handler` and of every producer is inferred from `schema`. */
export function defineJob<Schema extends z.ZodType>(definition: JobDefinition<Schema>): JobDefinition<Schema> {
  if (!JOB_NAME.test(definition.name)) {
    throw new Error(`job name "${definition.name}" must be lower-case kebab-case (it is a URL segment)`);
  }
  if (!Number.isInteger(definition.retries) || definition.retries < 0) {
    throw new Error(`job "${definition.name}": retries must be a non-negative integer`);
  }
  return Object.freeze({ runtime: "nodejs", ...definition });
}
