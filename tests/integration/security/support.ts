import type { Redis } from "@upstash/redis";
import { expect } from "vitest";
import type { TestStack } from "../../../harness/stack";

/**
 * Everything in Redis as one comparable value: every key with its type and
 * contents. Two equal snapshots around a refused request prove it wrote nothing.
 */
async function redisSnapshot(redis: Redis, ignore?: RegExp): Promise<Record<string, unknown>> {
  const keys = (await redis.keys("*"))
    .map(String)
    .filter((key) => !ignore?.test(key))
    .sort();
  if (keys.length === 0) return {};
  const types = await Promise.all(keys.map((key) => redis.type(key)));
  const values = await Promise.all(
    keys.map((key, index) => {
      switch (types[index]) {
        case "string":
          return redis.get(key);
        case "hash":
          return redis.hgetall(key);
        case "set":
          return redis.smembers(key).then((members) => members.map(String).sort());
        case "zset":
          return redis.zrange(key, 0, -1, { withScores: true });
        case "list":
          return redis.lrange(key, 0, -1);
        default:
          return types[index];
      }
    }),
  );
  return Object.fromEntries(keys.map((key, index) => [key, { type: types[index], value: values[index] }]));
}

/** Side effects a refused request must not have: Redis contents, captured emails, QStash messages published. */
interface SideEffects {
  redis: Record<string, unknown>;
  emails: number;
  published: number;
}

const publishCounts = new WeakMap<TestStack, { count: number }>();

/** Messages the stack has accepted for delivery since the first call for this stack. */
function publishedSoFar(stack: TestStack): number {
  let counter = publishCounts.get(stack);
  if (!counter) {
    const fresh = { count: 0 };
    stack.qstash.events.on("event", (event: { state: string }) => {
      if (event.state === "CREATED") fresh.count++;
    });
    publishCounts.set(stack, fresh);
    counter = fresh;
  }
  return counter.count;
}

async function sideEffects(stack: TestStack, redis: Redis, ignore?: RegExp): Promise<SideEffects> {
  const published = publishedSoFar(stack);
  await stack.qstash.idle();
  return { redis: await redisSnapshot(redis, ignore), emails: stack.resend.emails().length, published };
}

/**
 * Runs `attack` and asserts it changed nothing: no Redis write, no email, no
 * message published. Returns what `attack` returned for status checks.
 * `options.except` names keys that may change: the attempt counters of a rate
 * limit, whose whole job is to count the refused attempt too.
 */
export async function expectNoSideEffects<T>(
  stack: TestStack,
  redis: Redis,
  attack: () => Promise<T>,
  options: { except?: RegExp } = {},
): Promise<T> {
  const before = await sideEffects(stack, redis, options.except);
  const result = await attack();
  const after = await sideEffects(stack, redis, options.except);
  expect(after.emails, "emails sent").toBe(before.emails);
  expect(after.published, "messages published").toBe(before.published);
  expect(after.redis, "Redis contents").toEqual(before.redis);
  return result;
}
