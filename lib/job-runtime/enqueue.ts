import type { Client, PublishRequest } from "@upstash/qstash";
import { safeParse } from "zod/mini";
import "./schema-messages";
import { InvalidPayloadError } from "./errors";
import { failureCallbackUrl, jobUrl } from "./urls";
import type { JobDefinition, JobInput, Pace, PaceLimits } from "./define-job";
import { endPublishSpan, startPublishSpan, traceHeaders } from "./tracing";

export interface EnqueueOptions {
  /** Seconds to wait before the first delivery. */
  delay?: number;
  /** Unix epoch seconds before which the job must not run; wins over `delay`. */
  notBefore?: number;
  /** QStash drops a second publish with the same id (for its dedup window). */
  deduplicationId?: string;
  /** Labels to filter logs and the DLQ by; the job name is always added. */
  label?: string | string[];
}

export interface EnqueueResult {
  messageId: string;
  /** True when QStash recognised the deduplication id and did not enqueue again. */
  deduplicated: boolean;
}

export interface JobQueue {
  enqueue<Job extends JobDefinition>(job: Job, payload: JobInput<Job>, options?: EnqueueOptions): Promise<EnqueueResult>;
  enqueueMany<Job extends JobDefinition>(
    items: ReadonlyArray<{ job: Job; payload: JobInput<Job>; options?: EnqueueOptions }>,
  ): Promise<EnqueueResult[]>;
}

/** QStash accepts at most this many messages in one `/v2/batch` request. */
export const BATCH_LIMIT = 100;

interface JobQueueConfig {
  client: Pick<Client, "publishJSON" | "batchJSON">;
  /** Public base URL of the app, without a trailing slash. */
  appUrl: string;
  /** Pace key → the limits to publish that pace's jobs with, instead of the pace's own defaults. */
  paces?: Readonly<Record<string, PaceLimits>>;
}

/**
 * The one way jobs leave the process: validated locally, then published with the official client.
 * Nothing else happens on the producer's path: the route's claim writes the run record, and until
 * then QStash itself answers for the message (see `findRun`).
 */
export function createJobQueue(config: JobQueueConfig): JobQueue {
  return {
    async enqueue(job, payload, options) {
      const request = buildRequest(config.appUrl, job, payload, options, config.paces);
      const span = startPublishSpan(job.name, "publish");
      // The span's context rides along as a forwarded traceparent, so the delivery continues this trace.
      const response = await config.client.publishJSON({ ...request, headers: traceHeaders(span) }).then(
        (accepted) => {
          endPublishSpan(span, accepted);
          return accepted;
        },
        (error: unknown) => {
          endPublishSpan(span, { error });
          throw error;
        },
      );
      return { messageId: response.messageId, deduplicated: response.deduplicated === true };
    },
    async enqueueMany(items) {
      // Validate everything first so a bad item in chunk 3 doesn't leave chunks 1–2 half-published.
      const requests = items.map((item) => buildRequest(config.appUrl, item.job, item.payload, item.options, config.paces));
      const results: EnqueueResult[] = [];
      for (let start = 0; start < requests.length; start += BATCH_LIMIT) {
        const chunk = requests.slice(start, start + BATCH_LIMIT);
        // One producer span per message, so each delivery continues its own branch of the trace.
        const spans = chunk.map((_, index) => startPublishSpan(items[start + index]!.job.name, "batch"));
        const responses = await config.client
          .batchJSON(chunk.map((request, index) => ({ ...request, headers: traceHeaders(spans[index]) })))
          .catch((error: unknown) => {
            for (const span of spans) endPublishSpan(span, { error });
            throw error;
          });
        responses.forEach((response, index) => {
          const single = Array.isArray(response) ? response[0] : response;
          if (!single) throw new Error(`QStash returned no message for batch item ${start + index}`);
          endPublishSpan(spans[index]!, single);
          results.push({ messageId: single.messageId, deduplicated: single.deduplicated === true });
        });
      }
      return results;
    },
  };
}

/** Pure: the publish request for one job, or an `InvalidPayloadError` listing the schema's complaints. */
export function buildRequest<Job extends JobDefinition>(
  appUrl: string,
  job: Job,
  payload: JobInput<Job>,
  options: EnqueueOptions = {},
  paces: Readonly<Record<string, PaceLimits>> = {},
): PublishRequest<unknown> & { url: string } {
  const parsed = safeParse(job.schema, payload);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => ({
      path: issue.path,
      message: issue.message,
      code: issue.code,
    }));
    const summary = issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`).join("; ");
    throw new InvalidPayloadError(job.name, issues, `invalid payload for job "${job.name}": ${summary}`);
  }
  const labels = [job.name, ...toArray(options.label)];
  const flowControl = job.pace
    ? paceFlowControl(job.pace, paces)
    : job.flowControl
      ? {
          key: typeof job.flowControl.key === "function" ? job.flowControl.key(parsed.data) : job.flowControl.key,
          ...(job.flowControl.parallelism !== undefined && { parallelism: job.flowControl.parallelism }),
          ...(job.flowControl.rate !== undefined && { rate: job.flowControl.rate }),
          ...(job.flowControl.period !== undefined && { period: job.flowControl.period }),
        }
      : undefined;
  return {
    url: jobUrl(appUrl, job),
    // Publish what the producer passed (schema input): the handler re-parses, so defaults apply there once.
    body: payload,
    retries: job.retries,
    ...(job.retryDelay !== undefined && { retryDelay: job.retryDelay }),
    ...(job.timeout !== undefined && { timeout: job.timeout }),
    ...(flowControl && { flowControl: flowControl as PublishRequest["flowControl"] }),
    failureCallback: failureCallbackUrl(appUrl),
    ...(options.delay !== undefined && { delay: options.delay }),
    ...(options.notBefore !== undefined && { notBefore: options.notBefore }),
    ...(options.deduplicationId !== undefined && { deduplicationId: options.deduplicationId }),
    label: labels.length === 1 ? labels[0]! : labels,
  };
}

/** A pace's flow control: its key, with the configured limits or else its own. */
function paceFlowControl(pace: Pace, paces: Readonly<Record<string, PaceLimits>>) {
  const limits = (Object.hasOwn(paces, pace.key) ? paces[pace.key] : undefined) ?? pace;
  return {
    key: pace.key,
    rate: limits.rate,
    parallelism: limits.parallelism,
    ...(limits.period !== undefined && { period: limits.period }),
  };
}

function toArray(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
