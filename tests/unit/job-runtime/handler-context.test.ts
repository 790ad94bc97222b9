import { describe, expect, test } from "vitest";
import { z } from "zod";
import { defineJob } from "@/lib/jobs/context";
import { createVerifier, handleJobRequest, type JobContext, jobUrl } from "@/lib/job-runtime";
import { jobRouteDepsOf } from "@/lib/services";
import { fakeServices } from "../../helpers/fake-services";
import { setupMemoryRedis } from "../../helpers/msw";
import { DEV_CURRENT_KEY, DEV_NEXT_KEY, signedRequest } from "../../helpers/qstash-signature";

// What a handler's context holds: this delivery's facts and the app's dependencies, with a
// dependency the app builds on first use left unbuilt until a handler reads it.
setupMemoryRedis("http://redis.test");

let seen: { context: JobContext & Record<string, unknown>; read: Record<string, unknown> } | undefined;
const inspect = defineJob({
  name: "inspect-context",
  schema: z.object({ read: z.array(z.string()) }),
  retries: 2,
  async handler(payload, context) {
    const read: Record<string, unknown> = {};
    for (const name of payload.read) read[name] = (context as unknown as Record<string, unknown>)[name];
    seen = { context: context as unknown as JobContext & Record<string, unknown>, read };
  },
});
const registry = { [inspect.name]: inspect };
const verify = createVerifier({ currentSigningKey: DEV_CURRENT_KEY, nextSigningKey: DEV_NEXT_KEY });

function counting() {
  const builds: string[] = [];
  const jobDeps = {
    plain: "a value",
    get lazy() {
      builds.push("lazy");
      return { built: true };
    },
    // Dependencies named like a delivery fact never hide the fact, even a getter without a setter.
    get log() {
      builds.push("log");
      return "the app's log";
    },
    messageId: "the app's message id",
  };
  return { builds, jobDeps };
}

async function deliver(read: string[], jobDeps: object, messageId: string) {
  const { services } = fakeServices();
  const request = signedRequest({
    url: jobUrl(services.env.APP_URL, inspect),
    body: JSON.stringify({ read }),
    messageId,
    retried: 1,
  });
  const response = await handleJobRequest(registry, inspect.name, request, {
    ...jobRouteDepsOf(services, verify),
    runtime: "nodejs",
    jobDeps,
  });
  expect(response.status).toBe(200);
  return seen!;
}

describe("the handler's context", () => {
  test("holds the delivery's facts, which win over dependencies of the same name", async () => {
    const { builds, jobDeps } = counting();
    const { context } = await deliver([], jobDeps, "msg_facts");
    expect(context).toMatchObject({
      jobName: "inspect-context",
      messageId: "msg_facts",
      idempotencyKey: "inspect-context/msg_facts",
      retried: 1,
      maxRetries: 2,
    });
    expect(typeof context.log.info).toBe("function");
    expect(builds).toEqual([]);
  });

  test("builds a lazy dependency only when the handler reads it, and hands on plain ones", async () => {
    const { builds, jobDeps } = counting();
    const { read } = await deliver(["plain", "lazy"], jobDeps, "msg_lazy");
    expect(read).toEqual({ plain: "a value", lazy: { built: true } });
    expect(builds).toEqual(["lazy"]);
  });

  test("makes the budget's signal when first read, live and not yet aborted", async () => {
    const { jobDeps } = counting();
    const { read } = await deliver(["signal"], jobDeps, "msg_signal");
    expect(read.signal).toBeInstanceOf(AbortSignal);
    expect((read.signal as AbortSignal).aborted).toBe(false);
  });

  test("one dependency object serves many deliveries, each with its own facts", async () => {
    const { builds, jobDeps } = counting();
    const first = (await deliver(["lazy"], jobDeps, "msg_one")).context;
    const second = (await deliver(["lazy"], jobDeps, "msg_two")).context;
    expect([first.messageId, second.messageId]).toEqual(["msg_one", "msg_two"]);
    expect(builds).toEqual(["lazy", "lazy"]);
  });
});
