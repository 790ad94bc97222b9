import type * as z from "zod/mini";
import "./schema-messages";
import type { Logger } from "./log";
import { loadOnce } from "./load-once";

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

/** The limits of a shared pace. */
export interface PaceLimits {
  /** Deliveries started per `period`. */
  rate: number;
  /** Deliveries in flight at once. */
  parallelism: number;
  /** Seconds. @default 1 */
  period?: number;
}

/**
 * One QStash flow-control key that several jobs publish under, e.g. every job that calls one
 * rate-limited API. The limits here are the default; the queue's `paces` replace them by key
 * (`createJobQueue({ paces })`), so configuration rather than code decides the rate.
 */
export interface Pace extends PaceLimits {
  key: string;
}

/** What the runtime tells every handler about the delivery it is running. */
export interface JobContext {
  /** The job's registered name (its URL segment). */
  jobName: string;
  /** `Upstash-Message-Id` of this delivery. */
  messageId: string;
  /**
   * The one key that guards this job against running twice: `<job>/<business key or message id>`.
   * The same string keys the Redis lease, Resend's `Idempotency-Key`, the email log and the run record.
   */
  idempotencyKey: string;
  /** Retries made before this attempt (0 on the first attempt), as QStash reports it; for display only. */
  retried: number;
  /** Retries QStash will make in total. */
  maxRetries: number;
  /** Fires shortly before the platform's time limit; pass it to fetches and stop early. */
  signal: AbortSignal;
  /** The process logger, bound to this job and message. */
  log: Logger;
}

/** A handler may return a small JSON-able result; it is echoed in the 200 answer and the run record. */
export type JobResult = Record<string, unknown> | void;

/**
 * Runs one delivery of a job: the payload already validated, the idempotency key
 * already claimed. Declared as a method so its parameters are bivariant: a job
 * with a typed payload and the app's `Deps` still fits `AnyJob`.
 */
export type JobHandler<Payload = unknown, Deps = unknown> = {
  run(payload: Payload, context: JobContext & Deps): Promise<JobResult>;
}["run"];

/**
 * A job: its wire name, its payload schema and how QStash should deliver it —
 * everything producers and the route's checks need, cheap to import. The
 * handler is optional here: the app's jobs keep theirs in a module of its own
 * that the registry loads on the first delivery (`lazyJob`), so a route bundles
 * only the job it runs; tests and small apps may write it inline. `Deps` is
 * what the app hands every handler besides the delivery facts (its Redis,
 * email sender…): the runtime never looks inside it.
 */
export interface JobDefinition<Schema extends z.core.$ZodType = z.core.$ZodType, Deps = unknown, Name extends string = string> {
  /** URL segment and registry key: `/api/jobs/<name>`. Lower-case kebab-case. */
  name: Name;
  /** Validates the payload on both sides: before publishing and on delivery. */
  schema: Schema;
  /** Retries after the first attempt (QStash `Upstash-Retries`). */
  retries: number;
  /** QStash retry-delay expression in milliseconds, with `retried` (0 on the first retry). */
  retryDelay?: string;
  /** Per-attempt time limit in seconds (QStash `Upstash-Timeout`). */
  timeout?: number;
  flowControl?: JobFlowControl<z.output<Schema>>;
  /** A flow-control key shared with other jobs. A message carries one key: a pace or a `flowControl`, not both. */
  pace?: Pace;
  /** A stable business key (e.g. `signin/<eventId>`); defaults to the message id. */
  idempotencyKey?(payload: z.output<Schema>): string;
  /** @default "nodejs" */
  runtime?: JobRuntime;
  /** The handler written inline; without it, `lazyJob` supplies it when the job is registered. */
  handler?: JobHandler<z.output<Schema>, Deps>;
}

/** A job that can run: one with its handler (inline, or the loader `lazyJob` puts in its place). */
export type RunnableJob<
  Schema extends z.core.$ZodType = z.core.$ZodType,
  Deps = unknown,
  Name extends string = string,
> = JobDefinition<Schema, Deps, Name> & { handler: JobHandler<z.output<Schema>, Deps> };

/** Any job, whatever its payload and dependencies: what the queue publishes. */
// biome-ignore lint/suspicious/noExplicitAny: a registry holds jobs of every Deps type; the route passes each its own.
export type AnyJob = JobDefinition<z.core.$ZodType, any>;
/** Any job with its handler: what a registry holds and the route runs. */
// biome-ignore lint/suspicious/noExplicitAny: as above.
export type AnyRunnableJob = RunnableJob<z.core.$ZodType, any>;

/** Payload a producer passes (schema input, before defaults and transforms). */
export type JobInput<Job> = Job extends JobDefinition<infer S, infer _D, infer _N> ? z.input<S> : never;
/** Payload a handler receives (schema output). */
export type JobPayload<Job> = Job extends JobDefinition<infer S, infer _D, infer _N> ? z.output<S> : never;

const JOB_NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/**
 * Returns the app's `defineJob`, with the app's handler dependencies fixed once:
 * `export const defineJob = jobDefiner<MyJobDeps>()`. The payload type of the
 * handler and of every producer is inferred from `schema`, the name kept literal.
 */
export function jobDefiner<Deps>() {
  function defineJob<Schema extends z.core.$ZodType, const Name extends string>(
    definition: JobDefinition<Schema, Deps, Name> & { handler: JobHandler<z.output<Schema>, Deps> },
  ): RunnableJob<Schema, Deps, Name>;
  function defineJob<Schema extends z.core.$ZodType, const Name extends string>(
    definition: JobDefinition<Schema, Deps, Name>,
  ): JobDefinition<Schema, Deps, Name>;
  function defineJob<Schema extends z.core.$ZodType, const Name extends string>(
    definition: JobDefinition<Schema, Deps, Name>,
  ): JobDefinition<Schema, Deps, Name> {
    if (!JOB_NAME.test(definition.name)) {
      throw new Error(`job name "${definition.name}" must be lower-case kebab-case (it is a URL segment)`);
    }
    if (!Number.isInteger(definition.retries) || definition.retries < 0) {
      throw new Error(`job "${definition.name}": retries must be a non-negative integer`);
    }
    if (definition.pace !== undefined && definition.flowControl !== undefined) {
      throw new Error(`job "${definition.name}": a message has one flow-control key, so give either a pace or flowControl`);
    }
    return Object.freeze({ runtime: "nodejs", ...definition });
  }
  return defineJob;
}

/** What a job's handler module exports by default: the handler, and the job it is for. */
export interface JobHandlerModule<Payload = unknown, Name extends string = string> {
  job: Name;
  // biome-ignore lint/suspicious/noExplicitAny: the route hands each handler its app's Deps.
  handler: JobHandler<Payload, any>;
}

/**
 * The default export of a job's handler module (`lib/jobs/<name>.handler.ts`):
 * `export default defineHandler(welcomeEmail, async (payload, context) => …)`.
 * Payload and context are typed from the job; the job's name goes along so
 * the registry can refuse a handler paired with the wrong job.
 */
export function defineHandler<Schema extends z.core.$ZodType, Deps, Name extends string>(
  job: JobDefinition<Schema, Deps, Name>,
  handler: JobHandler<z.output<Schema>, Deps>,
): JobHandlerModule<z.output<Schema>, Name> {
  return Object.freeze({ job: job.name, handler });
}

/**
 * A job whose handler is loaded with `import()` on its first delivery:
 * `lazyJob(welcomeEmail, () => import("./welcome-email.handler"))`. With the
 * import written out like this, Next.js puts each handler (its templates, its
 * SDKs) in a chunk of its own, and a cold route loads only the job it runs.
 * The module is loaded once; a failed load (a missing chunk) throws, so the
 * delivery answers 500 and QStash retries it, and the next delivery loads again.
 */
export function lazyJob<Schema extends z.core.$ZodType, Deps, Name extends string>(
  job: JobDefinition<Schema, Deps, Name>,
  load: () => Promise<{ default: JobHandlerModule<z.output<Schema>, Name> }>,
): RunnableJob<Schema, Deps, Name> {
  if (job.handler) throw new Error(`job "${job.name}" already has a handler; lazyJob is for jobs declared without one`);
  const loadHandler = loadOnce(() =>
    load().then(({ default: loaded }) => {
      if (loaded.job !== job.name) throw new Error(`job "${job.name}" was registered with the handler of "${loaded.job}"`);
      return loaded.handler;
    }),
  );
  return Object.freeze({
    ...job,
    handler: async (payload: z.output<Schema>, context: JobContext & Deps) => (await loadHandler())(payload, context),
  });
}

/** Canonical idempotency key of a run: the job's business key, or the message id, namespaced by job. */
export function runIdempotencyKey(jobName: string, keyOrMessageId: string): string {
  return `${jobName}/${keyOrMessageId}`;
}
