import { SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import {
  ATTR,
  deliveryContext,
  endPublishSpan,
  setOutcome,
  startPublishSpan,
  step,
  traceFields,
  traceHeaders,
  withDeliverySpan,
} from "@/lib/job-runtime";
import { installTestTracing, type TestTracing } from "../../helpers/tracing";

describe("tracing without an SDK", () => {
  test("is a no-op: no traceparent, no ids in log fields, work still runs", async () => {
    const span = startPublishSpan("welcome-email", "publish");
    expect(traceHeaders(span)).toEqual({});
    endPublishSpan(span, { messageId: "msg_1" });
    const result = await withDeliverySpan({ headers: new Headers(), jobName: "welcome-email" }, () =>
      step("handler", async () => traceFields()),
    );
    expect(result).toEqual({});
  });
});

describe("tracing with an SDK registered", () => {
  let tracing: TestTracing;
  beforeAll(() => {
    tracing = installTestTracing();
  });
  afterAll(() => tracing.uninstall());
  beforeEach(() => tracing.exporter.reset());

  test("the producer's traceparent makes the delivery a child of the publish span", async () => {
    const tracer = trace.getTracer("test");
    const headers = await tracer.startActiveSpan("POST /signup", async (request) => {
      const span = startPublishSpan("welcome-email", "publish");
      const carrier = traceHeaders(span);
      endPublishSpan(span, { messageId: "msg_1" });
      request.end();
      return carrier;
    });
    expect(headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);

    await withDeliverySpan(
      { headers: new Headers(headers), jobName: "welcome-email", messageId: "msg_1", retried: 2 },
      async (span) => {
        await step("verify", async () => undefined);
        await step("handler", async () => undefined);
        setOutcome(span, "succeeded");
      },
    );

    const publish = tracing.byName("publish welcome-email");
    const process = tracing.byName("process welcome-email");
    const root = tracing.byName("POST /signup");
    expect(publish.kind).toBe(SpanKind.PRODUCER);
    expect(process.kind).toBe(SpanKind.CONSUMER);
    expect(new Set(tracing.spans().map((span) => span.spanContext().traceId))).toEqual(new Set([root.spanContext().traceId]));
    expect(process.parentSpanContext?.spanId).toBe(publish.spanContext().spanId);
    expect(tracing.byName("verify").parentSpanContext?.spanId).toBe(process.spanContext().spanId);
    expect(publish.attributes).toMatchObject({
      [ATTR.system]: "qstash",
      [ATTR.operationType]: "send",
      [ATTR.destination]: "welcome-email",
      [ATTR.messageId]: "msg_1",
    });
    expect(process.attributes).toMatchObject({
      [ATTR.system]: "qstash",
      [ATTR.operationType]: "process",
      [ATTR.messageId]: "msg_1",
      [ATTR.jobName]: "welcome-email",
      [ATTR.retryCount]: 2,
      [ATTR.outcome]: "succeeded",
    });
  });

  test("a delivery already inside a platform span of the same trace nests under it", async () => {
    const producer = startPublishSpan("test", "publish");
    const headers = new Headers(traceHeaders(producer));
    producer.end();
    const server = trace.getTracer("next").startSpan("POST /api/jobs/[job]", {}, deliveryContext(headers));
    await trace
      .getTracer("next")
      .startActiveSpan("handle", {}, trace.setSpan(deliveryContext(headers), server), async (inner) => {
        await withDeliverySpan({ headers, jobName: "test" }, async () => undefined);
        inner.end();
      });
    server.end();
    expect(tracing.byName("process test").parentSpanContext?.spanId).toBe(tracing.byName("handle").spanContext().spanId);
  });

  test("errors mark the step and the delivery as failed and are rethrown", async () => {
    await expect(
      withDeliverySpan({ headers: new Headers(), jobName: "test" }, async () =>
        step("handler", async () => Promise.reject(new Error("boom"))),
      ),
    ).rejects.toThrow("boom");
    expect(tracing.byName("handler").status.code).toBe(SpanStatusCode.ERROR);
    expect(tracing.byName("process test").events.map((event) => event.name)).toEqual(["exception"]);
  });

  test("log fields carry the active trace and span ids", async () => {
    const fields = await withDeliverySpan({ headers: new Headers(), jobName: "test" }, async () => traceFields());
    expect(fields).toEqual({
      traceId: tracing.byName("process test").spanContext().traceId,
      spanId: tracing.byName("process test").spanContext().spanId,
    });
  });
});
