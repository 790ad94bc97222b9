import { expect, test } from "vitest";
import { z } from "zod";
import type { Services } from "@/lib/deps";
import { defineJob } from "@/lib/jobs/context";
import { createServices, jobDepsOf } from "@/lib/services";
import { deliver, fakeServices } from "../helpers/fake-services";
import { testEnv } from "../helpers/env";
import { setupMemoryRedis } from "../helpers/msw";

const env = testEnv();
setupMemoryRedis(env.UPSTASH_REDIS_REST_URL);

/** The services, with a count of how often each one was reached for. */
function countingServices(base: Services) {
  const touched: Record<string, number> = {};
  const count = <K extends keyof Services>(key: K): Services[K] => {
    touched[key] = (touched[key] ?? 0) + 1;
    return base[key];
  };
  const services: Services = {
    env: base.env,
    clock: base.clock,
    get redis() {
      return count("redis");
    },
    get email() {
      return count("email");
    },
    get queue() {
      return count("queue");
    },
    get qstash() {
      return count("qstash");
    },
    get outboxQstash() {
      return count("outboxQstash");
    },
  };
  return { services, touched };
}

const redisOnly = defineJob({
  name: "redis-only",
  schema: z.object({ key: z.string() }),
  retries: 0,
  async handler(payload, context) {
    await (await context.redis()).set(payload.key, "1");
    return { set: payload.key };
  },
});

const sendsEmail = defineJob({
  name: "sends-email",
  schema: z.object({}),
  retries: 0,
  async handler(_payload, context) {
    const result = await context.email.send({
      to: "ada@example.com",
      subject: "hi",
      html: "<p>hi</p>",
      text: "hi",
      idempotencyKey: context.idempotencyKey,
    });
    return { sent: result.ok };
  },
});

test("a delivery builds only what its handler touches: no email sender, QStash client or queue for a Redis-only job", async () => {
  const { services, touched } = countingServices(fakeServices({ env }).services);
  const answer = await deliver(services, redisOnly, { key: "k1" }, { registry: { "redis-only": redisOnly } });
  expect(answer.status).toBe(200);
  expect(touched.email).toBeUndefined();
  expect(touched.qstash).toBeUndefined();
  expect(touched.queue).toBeUndefined();
  expect(touched.redis).toBeGreaterThan(0);
});

test("a handler that sends email reaches the sender through the same context", async () => {
  const base = fakeServices({ env });
  const { services, touched } = countingServices(base.services);
  const answer = await deliver(services, sendsEmail, {}, { registry: { "sends-email": sendsEmail } });
  expect(answer).toMatchObject({ status: 200, body: { result: { sent: true } } });
  expect(touched.email).toBe(1);
  expect(base.email.sent).toHaveLength(1);
});

test("services are made once, on first use, and the handlers' slice shares them", async () => {
  const services = createServices(env);
  const deps = jobDepsOf(services);
  expect(services.redis).toBe(services.redis);
  expect(await deps.redis()).toBe(services.redis);
  expect(deps.qstash).toBe(services.qstash);
  expect(deps.queue).toBe(services.queue);
  expect(deps.email).toBe(services.email);
});
