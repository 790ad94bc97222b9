/**
 * OpenTelemetry spans for publishing and running jobs, through
 * `@opentelemetry/api` only: without an SDK registered (instrumentation.ts
 * does that with @vercel/otel) every call here is a no-op, and nothing heavier
 * is ever loaded into a job route.
 *
 * One trace runs from the request that enqueued a job to the job's handler:
 * the producer span's context travels with the message as a forwarded
 * `traceparent` header (QStash passes `Upstash-Forward-*` headers on), and the
 * consumer span continues it. Attribute names follow the OpenTelemetry
 * messaging semantic conventions; QStash-specific ones use the
 * `messaging.qstash.*` namespace the conventions reserve for a system.
 */
import {
  context,
  INVALID_SPAN_CONTEXT,
  propagation,
  ProxyTracerProvider,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type TextMapGetter,
  type Tracer,
  type TracerProvider,
} from "@opentelemetry/api";

export const TRACER_NAME = "qstash-jobs";

export const ATTR = {
  system: "messaging.system",
  operationType: "messaging.operation.type",
  operationName: "messaging.operation.name",
  destination: "messaging.destination.name",
  messageId: "messaging.message.id",
  batchCount: "messaging.batch.message_count",
  retryCount: "messaging.qstash.retry_count",
  jobName: "messaging.qstash.job.name",
  outcome: "messaging.qstash.job.outcome",
} as const;

export const MESSAGING_SYSTEM = "qstash";

/** How a delivery ended, as the consumer span's outcome attribute. */
export type DeliveryOutcome = "succeeded" | "duplicate" | "busy" | "failed" | "retry" | "non_retryable" | "rejected";

let cachedTracer: { provider: TracerProvider; tracer: Tracer } | undefined;

/**
 * Our tracer, asked of the current provider once. The API's proxy provider hands out a new
 * proxy tracer on every `getTracer` call; the proxy itself finds an SDK registered later, so
 * keeping it is safe. A new provider (the API disabled and set up again) gets a new tracer.
 */
function tracer(): Tracer {
  const provider = trace.getTracerProvider();
  if (cachedTracer?.provider !== provider) cachedTracer = { provider, tracer: provider.getTracer(TRACER_NAME) };
  return cachedTracer.tracer;
}

/** W3C trace context of `span` as headers (`traceparent`, maybe `tracestate`); empty when no propagator is registered. */
export function traceHeaders(span?: Span): Record<string, string> {
  const carrier: Record<string, string> = {};
  const ctx = span ? trace.setSpan(context.active(), span) : context.active();
  propagation.inject(ctx, carrier);
  return carrier;
}

/** A producer span for one message, not made active: its context goes into the message, not into the caller. */
export function startPublishSpan(jobName: string, operation: "publish" | "batch" | "schedule" | "outbox"): Span {
  return tracer().startSpan(`${operation} ${jobName}`, {
    kind: SpanKind.PRODUCER,
    attributes: {
      [ATTR.system]: MESSAGING_SYSTEM,
      [ATTR.operationType]: "send",
      [ATTR.operationName]: operation,
      [ATTR.destination]: jobName,
      [ATTR.jobName]: jobName,
    },
  });
}

/** Ends publish spans with the message ids QStash gave, or the error it answered. */
export function endPublishSpan(span: Span, result: { messageId: string } | { error: unknown }): void {
  if ("messageId" in result) span.setAttribute(ATTR.messageId, result.messageId);
  else recordError(span, result.error);
  span.end();
}

const headerGetter: TextMapGetter<Headers> = {
  keys: (carrier) => [...carrier.keys()],
  get: (carrier, key) => carrier.get(key) ?? undefined,
};

/**
 * The context a delivery continues: the producer's, from the forwarded
 * `traceparent`. When the platform already opened a server span for this
 * request in that same trace (Next.js does, from the same header), nest under
 * it instead so the spans form one tree.
 */
export function deliveryContext(headers: Headers): Context {
  const extracted = propagation.extract(ROOT_CONTEXT, headers, headerGetter);
  const producer = trace.getSpanContext(extracted);
  const active = trace.getSpanContext(context.active());
  if (producer && active && active.traceId === producer.traceId) return context.active();
  return producer ? extracted : context.active();
}

/** What the API's proxy provider delegates to while no SDK is registered (its public `getDelegate`). */
const NO_SDK = new ProxyTracerProvider().getDelegate();
/** The span a delivery gets when no SDK is registered: it records nothing, like the API's own no-op spans. */
const UNTRACED = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/** True while no SDK has registered a tracer provider: every span would be a no-op. */
function noTracerProvider(): boolean {
  const provider = trace.getTracerProvider();
  return provider instanceof ProxyTracerProvider && provider.getDelegate() === NO_SDK;
}

/** Runs one delivery inside a consumer span; `fn` reports the outcome through the returned setter. */
export async function withDeliverySpan<T>(
  request: { headers: Headers; jobName: string; messageId?: string; retried?: number },
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  // Without an SDK there is no span to make and no context to carry it: skip building them.
  if (noTracerProvider()) return fn(UNTRACED);
  const attributes: Attributes = {
    [ATTR.system]: MESSAGING_SYSTEM,
    [ATTR.operationType]: "process",
    [ATTR.operationName]: "process",
    [ATTR.destination]: request.jobName,
    [ATTR.jobName]: request.jobName,
    ...(request.messageId && { [ATTR.messageId]: request.messageId }),
    ...(request.retried !== undefined && { [ATTR.retryCount]: request.retried }),
  };
  const parent = deliveryContext(request.headers);
  const span = tracer().startSpan(`process ${request.jobName}`, { kind: SpanKind.CONSUMER, attributes }, parent);
  // No SDK (or tracing suppressed): the span is an empty stand-in with nothing to record or pass on,
  // so the delivery runs as it is instead of inside a context made just to hold it.
  if (!span.isRecording() && !trace.isSpanContextValid(span.spanContext())) return fn(span);
  return context.with(trace.setSpan(parent, span), async () => {
    try {
      return await fn(span);
    } catch (error) {
      recordError(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

export function setOutcome(span: Span | undefined, outcome: DeliveryOutcome, error?: unknown): void {
  if (!span) return;
  span.setAttribute(ATTR.outcome, outcome);
  if (error !== undefined) recordError(span, error);
}

/**
 * A child step of the active span (verify, claim, handler, complete); errors are recorded and rethrown.
 * When nothing records the active span (no SDK registered, or the trace sampled out) a child
 * would not be recorded either, so the step just runs: no span, no context, no closures.
 */
export function step<T>(name: string, fn: () => Promise<T>, attributes?: Attributes): Promise<T> {
  if (!trace.getActiveSpan()?.isRecording()) return fn();
  return tracer().startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await fn();
    } catch (error) {
      recordError(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

function recordError(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}

/** Trace and span id of the active span, for log lines; empty when nothing is traced. */
export function traceFields(): { traceId?: string; spanId?: string } {
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (!spanContext || !trace.isSpanContextValid(spanContext)) return {};
  return { traceId: spanContext.traceId, spanId: spanContext.spanId };
}
