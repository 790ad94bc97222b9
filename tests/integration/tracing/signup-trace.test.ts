import { SpanKind, trace } from "@opentelemetry/api";
import { afterAll, beforeAll, expect, test } from "vitest";
import { ATTR } from "@/lib/job-runtime";
import { signUp } from "@/lib/flows/sign-up";
import { installTestTracing, type TestTracing } from "../../helpers/tracing";
import { startTestApp, type TestApp } from "../../../harness/app";
import { startTestStack, type TestStack } from "../../../harness/stack";

// A real OpenTelemetry SDK with an in-memory exporter; the app itself only talks to @opentelemetry/api.
let tracing: TestTracing;
let stack: TestStack;
let app: TestApp;

beforeAll(async () => {
  tracing = installTestTracing();
  stack = await startTestStack();
  app = await startTestApp(stack);
});
afterAll(async () => {
  await app?.close();
  await stack?.close();
  await tracing?.uninstall();
});

test("a sign-up request and its welcome-email delivery share one trace, with the expected spans and attributes", async () => {
  // What Next.js's own instrumentation opens around the server action.
  const result = await trace.getTracer("next.js").startActiveSpan("POST /signup", { kind: SpanKind.SERVER }, async (span) => {
    try {
      return await signUp(app.services, { name: "Ada", email: "ada@example.com", password: "analytical-1843" });
    } finally {
      span.end();
    }
  });
  expect(result.ok).toBe(true);
  const messageId = result.ok && result.outcome === "created" ? result.welcomeMessageId : "";
  await stack.qstash.idle();
  expect(stack.resend.emails().map((email) => email.to)).toContainEqual(["ada@example.com"]);

  const request = tracing.byName("POST /signup");
  // Sign-up writes the account and its welcome email together, so the producer span is the outbox's publish.
  const publish = tracing.byName("outbox welcome-email");
  const delivery = tracing.byName("process welcome-email");
  const traceId = request.spanContext().traceId;
  const inTrace = tracing
    .spans()
    .filter((span) => span.spanContext().traceId === traceId)
    .map((span) => span.name);
  expect(inTrace).toEqual(
    expect.arrayContaining([
      "POST /signup",
      "outbox welcome-email",
      "process welcome-email",
      "verify",
      "claim",
      "handler",
      "complete",
    ]),
  );

  expect(publish.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
  expect(publish.kind).toBe(SpanKind.PRODUCER);
  expect(publish.attributes).toMatchObject({
    [ATTR.system]: "qstash",
    [ATTR.operationType]: "send",
    [ATTR.destination]: "welcome-email",
    [ATTR.messageId]: messageId,
  });
  expect(delivery.parentSpanContext?.spanId).toBe(publish.spanContext().spanId);
  expect(delivery.kind).toBe(SpanKind.CONSUMER);
  expect(delivery.attributes).toMatchObject({
    [ATTR.system]: "qstash",
    [ATTR.operationType]: "process",
    [ATTR.messageId]: messageId,
    [ATTR.jobName]: "welcome-email",
    [ATTR.retryCount]: 0,
    [ATTR.outcome]: "succeeded",
  });
  // Sign-up also queues verify-email, whose delivery has its own steps: look at welcome-email's.
  const steps = tracing
    .spans()
    .filter((span) => span.parentSpanContext?.spanId === delivery.spanContext().spanId)
    .map((span) => span.name);
  expect(steps.sort()).toEqual(["claim", "complete", "handler", "verify"]);
});
