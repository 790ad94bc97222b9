/**
 * The app's durable publishing: the runtime's outbox bound to this app's QStash
 * client, base URL and run records. A producer asks for an entry with
 * `prepare`, writes it in the same atomic step as its own change, then calls
 * `publish`; whatever QStash refuses stays in Redis for the sweep.
 */
import type { Services } from "../deps";
import { configuredPaces } from "../email/pace";
import {
  buildRequest,
  createOutbox,
  OUTBOX_INDEX_KEY,
  OUTBOX_SWEEP_GRACE_MS,
  outboxEntry,
  recordQueued,
  type EnqueueOptions,
  type FlushResult,
  type JobDefinition,
  type JobInput,
  type Outbox,
  type OutboxDepth,
  type OutboxEntry,
  type SweepResult,
} from "../job-runtime";

/** A producer call sweeps at most this many leftovers, so its own answer stays quick. */
const PRODUCER_SWEEP_LIMIT = 20;

export interface DurableQueue {
  /** The outbox entry for a job (payload validated here), to be written with the domain change. */
  prepare<Job extends JobDefinition>(job: Job, payload: JobInput<Job>, options?: EnqueueOptions): OutboxEntry;
  /**
   * Publishes entries just written, then publishes older leftovers if there are
   * any (the next producer call is one of the sweepers). Never throws.
   */
  publish(entries: readonly OutboxEntry[]): Promise<FlushResult>;
  sweep(): Promise<SweepResult>;
  depth(): Promise<OutboxDepth>;
}

type DurableServices = Pick<Services, "redis" | "outboxQstash" | "clock" | "env">;

const cache = new WeakMap<DurableServices, DurableQueue>();

export function durableQueue(services: DurableServices): DurableQueue {
  let queue = cache.get(services);
  if (!queue) {
    queue = createDurableQueue(services);
    cache.set(services, queue);
  }
  return queue;
}

/**
 * The outbox bound to this app's QStash client and run records, without the
 * producer's side: all a sweeper needs (the scheduled `outbox-sweep` job has
 * these services, not the environment).
 */
export function appOutbox(services: Pick<Services, "redis" | "qstash" | "clock">): Outbox {
  const { redis, clock } = services;
  return createOutbox({
    redis,
    now: () => clock.now(),
    publish: (request) => services.qstash.publishJSON(request),
    onPublished: (published) => (published.deduplicated ? undefined : recordQueued(redis, { ...published }, clock.now())),
  });
}

function createDurableQueue(services: DurableServices): DurableQueue {
  const { redis, clock } = services;
  const paces = configuredPaces(services.env.RESEND_RATE_LIMIT_PER_SECOND);
  // Fails fast: a publish QStash refuses costs the producer one attempt, not the SDK's backoff.
  const outbox = appOutbox({ redis, qstash: services.outboxQstash, clock });

  async function sweepLeftovers(): Promise<void> {
    const cutoff = clock.now() - OUTBOX_SWEEP_GRACE_MS;
    try {
      const due = await redis.zrange<string[]>(OUTBOX_INDEX_KEY, "-inf", cutoff, { byScore: true, offset: 0, count: 1 });
      if (due.length > 0) await outbox.sweep({ limit: PRODUCER_SWEEP_LIMIT });
    } catch (error) {
      // The producer's own work is done; a sweep that can't run now runs on the next trigger.
      console.warn(JSON.stringify({ level: "warn", event: "outbox_producer_sweep_failed", error: String(error) }));
    }
  }

  return {
    prepare(job, payload, options) {
      // The configured paces, exactly as `enqueue` applies them: an email from the outbox waits in the same line.
      const request = buildRequest(services.env.APP_URL, job, payload, options, paces);
      return outboxEntry(job.name, request, clock.now());
    },
    async publish(entries) {
      const result = await outbox.flush(entries);
      if (result.pending.length === 0) await sweepLeftovers();
      return result;
    },
    sweep: () => outbox.sweep(),
    depth: () => outbox.depth(),
  };
}
