import { createHash } from "node:crypto";
import type { Core } from "./core";
import type { Destination } from "./destination";
import { notFound } from "./errors";
import type { FlatHeaders } from "./header-map";
import { storeBody } from "./body";
import { Interner } from "./intern";
import type { FlowControlRecord, MessageRecord } from "./model";
import type { FlowControlSpec, PublishOptions } from "./publish-options";

/** Equal URLs, headers and labels of pending messages are stored once. */
const shared = new Interner();

/** Attempts = 1 + retries when the publisher doesn't say. */
export const DEFAULT_RETRIES = 3;
/** How long a dedup id is remembered (the API reference's figure). */
const DEDUP_WINDOW_MS = 10 * 60_000;

export interface PublishRequest {
  destination: Destination;
  options: PublishOptions;
  body: Buffer;
  callerIp: string;
  /** From the enqueue path or the schedule's `Upstash-Queue-Name`. */
  queueName?: string;
  scheduleId?: string;
  /** The request's own headers; content-based dedup hashes the message-defining ones. */
  rawHeaders: FlatHeaders;
}

export interface PublishResult {
  /** 200, or 202 for a duplicate. */
  status: number;
  body: unknown;
  messages: MessageRecord[];
}

/** Validates everything first, then commits: a 404 for an unknown URL group leaves no trace. */
export function publish(core: Core, request: PublishRequest): PublishResult {
  const now = core.clock.now();
  const targets = resolveTargets(core, request.destination);
  const dedupKey = dedupKeyFor(request);
  if (dedupKey) {
    const known = core.state.dedup.get(dedupKey);
    if (known && known.expiresAt > now) return { status: 202, body: markDeduplicated(known.response), messages: [] };
    if (known) core.state.dedup.delete(dedupKey);
  }
  const queueName = request.queueName ?? request.options.queueName;
  if (queueName && !core.state.queues.has(queueName)) {
    // Enqueueing to an unknown queue creates it, as the spec suggests for a local server.
    core.state.queues.set(queueName, { name: queueName, createdAt: now, updatedAt: now, parallelism: 1, paused: false });
  }
  if (request.options.flowControl) applyFlowControlConfig(core, request.options.flowControl, now);

  const messages = targets.map((target) =>
    createMessage(core, {
      ...messageFields(request.options, now),
      url: target.url,
      body: storeBody(request.body),
      callerIp: request.callerIp,
      topicName: target.topicName,
      endpointName: target.endpointName,
      queueName,
      scheduleId: request.scheduleId,
    }),
  );
  const body =
    request.destination.kind === "topic"
      ? messages.map((message) => ({ messageId: message.messageId, url: message.url }))
      : { messageId: messages[0]!.messageId };
  if (dedupKey) core.state.dedup.set(dedupKey, { response: body, expiresAt: now + DEDUP_WINDOW_MS });
  core.changed();
  return { status: 200, body, messages };
}

export type NewMessage = Omit<
  MessageRecord,
  "messageId" | "seq" | "createdAt" | "state" | "retried" | "nextAttemptAt" | "started"
>;

/** Adds a pending message and logs CREATED; the dispatcher picks it up at `notBefore`. */
export function createMessage(core: Core, fields: NewMessage): MessageRecord {
  const now = core.clock.now();
  const message: MessageRecord = definedOnly({
    ...fields,
    url: shared.string(fields.url),
    header: shared.headers(fields.header),
    callerIp: shared.string(fields.callerIp),
    callback: shared.string(fields.callback),
    failureCallback: shared.string(fields.failureCallback),
    topicName: shared.string(fields.topicName),
    endpointName: shared.string(fields.endpointName),
    queueName: shared.string(fields.queueName),
    labels: shared.list(fields.labels),
    messageId: core.id("msg"),
    seq: core.nextSeq(),
    createdAt: now,
    state: "CREATED",
    retried: 0,
    nextAttemptAt: fields.notBefore,
    started: false,
  });
  core.state.messages.set(message.messageId, message);
  core.log.record("CREATED", message, now);
  core.changed();
  return message;
}

/** The option-derived part of a message; not-before wins over delay. */
function messageFields(options: PublishOptions, now: number) {
  return {
    method: options.method ?? "POST",
    header: options.header,
    notBefore: options.notBeforeMs ?? now + (options.delayMs ?? 0),
    maxRetries: options.retries ?? DEFAULT_RETRIES,
    retryDelayExpression: options.retryDelayExpression,
    timeoutMs: options.timeoutMs,
    callback: options.callback,
    failureCallback: options.failureCallback,
    callbackOverrides: options.callbackOverrides,
    failureCallbackOverrides: options.failureCallbackOverrides,
    flowControl: options.flowControl,
    labels: options.labels ?? [],
    redact: options.redact,
  } satisfies Partial<NewMessage>;
}

/** The newest message's settings replace a key's, except the pinned parts. */
function applyFlowControlConfig(core: Core, spec: FlowControlSpec, now: number): void {
  const existing = core.state.flowControl.get(spec.key);
  const record = existing ?? {
    key: spec.key,
    periodSeconds: 1,
    isPaused: false,
    pinnedParallelism: false,
    pinnedRate: false,
    rateCount: 0,
    ratePeriodStart: now,
  };
  const limits = (flow: FlowControlRecord) => `${flow.parallelism}/${flow.rate}/${flow.periodSeconds}`;
  const before = existing ? limits(existing) : undefined;
  if (!record.pinnedParallelism) record.parallelism = spec.parallelism;
  if (!record.pinnedRate) {
    record.rate = spec.rate;
    record.periodSeconds = spec.periodSeconds ?? 1;
  }
  core.state.flowControl.set(spec.key, record);
  // Messages held back under the old limits may fit the new ones.
  if (before !== undefined && before !== limits(record)) core.limitsChanged();
}

function resolveTargets(core: Core, destination: Destination) {
  if (destination.kind === "url") return [{ url: destination.url, topicName: undefined, endpointName: undefined }];
  const topic = core.state.topics.get(destination.name);
  if (!topic || topic.endpoints.length === 0) throw notFound(`topic ${destination.name} not found`);
  return topic.endpoints.map((endpoint) => ({ url: endpoint.url, topicName: topic.name, endpointName: endpoint.name }));
}

/**
 * An explicit id, or with content-based dedup a hash of the destination, the
 * body and the headers that define the message (Content-Type and Upstash-*
 * except telemetry), so transport headers a client adds can't defeat it.
 */
function dedupKeyFor(request: PublishRequest): string | undefined {
  const { options } = request;
  if (options.deduplicationId) return `id:${options.deduplicationId}`;
  if (!options.contentBasedDeduplication) return undefined;
  const hash = createHash("sha256");
  hash
    .update(JSON.stringify(request.destination))
    .update("\0")
    .update(request.queueName ?? "")
    .update("\0")
    .update(request.body)
    .update("\0");
  const defining = Object.entries(request.rawHeaders)
    .filter(([name]) => name === "content-type" || (name.startsWith("upstash-") && !name.startsWith("upstash-telemetry-")))
    .sort(([a], [b]) => (a < b ? -1 : 1));
  hash.update(JSON.stringify(defining));
  return `content:${hash.digest("hex")}`;
}

function markDeduplicated(response: unknown): unknown {
  if (Array.isArray(response)) return response.map((entry: object) => ({ ...entry, deduplicated: true }));
  return { ...(response as object), deduplicated: true };
}

/**
 * A copy without the undefined fields: a pending message carries only the
 * options it was published with, and messages published alike share one shape.
 */
function definedOnly<T extends object>(object: T): T {
  const out: Record<string, unknown> = {};
  // for…in over an own-properties-only literal: no [key, value] pair array per field, per message.
  for (const key in object) {
    const value = object[key];
    if (value !== undefined) out[key] = value;
  }
  return out as T;
}
