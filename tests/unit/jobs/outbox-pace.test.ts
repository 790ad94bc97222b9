import { Client } from "@upstash/qstash";
import { afterEach, expect, test } from "vitest";
import { createRedis, stageOutboxEntries } from "@/lib/job-runtime";
import { durableQueue } from "@/lib/jobs/outbox";
import { welcomeEmail } from "@/lib/jobs/welcome-email";
import { createServices } from "@/lib/services";
import { testEnv } from "../../helpers/env";
import { setupMemoryRedis } from "../../helpers/msw";
import { qstashHandlers } from "../../msw/qstash";

// An email job leaves through the outbox with the same flow control as through
// `enqueue`: the configured Resend pace, not the pace's built-in default.

const env = testEnv({ RESEND_RATE_LIMIT_PER_SECOND: "7" });
const mock = qstashHandlers(env.QSTASH_URL);
setupMemoryRedis(env.UPSTASH_REDIS_REST_URL, ...mock.handlers);
afterEach(() => {
  mock.published.length = 0;
});

function services() {
  const qstash = new Client({ baseUrl: env.QSTASH_URL, token: env.QSTASH_TOKEN, enableTelemetry: false, retry: false });
  return createServices(env, { redis: createRedis(env), qstash });
}

const flowControl = (headers: Record<string, string>) => ({
  key: headers["upstash-flow-control-key"],
  value: headers["upstash-flow-control-value"],
});

test("the outbox publishes a paced job with the configured pace, like enqueue", async () => {
  const app = services();
  const payload = { userId: "usr_1", email: "ada@example.com", name: "Ada" };
  await app.queue.enqueue(welcomeEmail, payload);

  const queue = durableQueue(app);
  const entry = queue.prepare(welcomeEmail, payload);
  await stageOutboxEntries(app.redis.multi(), [entry]).exec();
  expect((await queue.publish([entry])).pending).toEqual([]);

  const [direct, durable] = mock.published;
  expect(flowControl(direct!.headers)).toEqual({ key: "resend", value: "parallelism=7, rate=7, period=1s" });
  expect(flowControl(durable!.headers)).toEqual(flowControl(direct!.headers));
  // Everything else about the delivery matches too; only the outbox's deduplication id is added.
  const { "upstash-deduplication-id": dedup, traceparent: _a, ...durableRest } = durable!.headers;
  const { traceparent: _b, ...directRest } = direct!.headers;
  expect(dedup).toBe(entry.id);
  expect(durableRest).toEqual(directRest);
});
