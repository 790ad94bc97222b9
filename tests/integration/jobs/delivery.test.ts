import { beforeEach, describe, expect, test } from "vitest";
import { defineJob } from "@/lib/jobs/context";
import { handleJobRequest, getRun, createVerifier } from "@/lib/job-runtime";
import { jobs as registry } from "@/lib/jobs/registry";
import { z } from "zod";
import { DEV_CURRENT_KEY, DEV_NEXT_KEY, signedRequest } from "../../helpers/qstash-signature";
import { jobRouteDepsOf } from "@/lib/services";
import { setupStackAndApp } from "../../helpers/stack-and-app";

// Handlers run against the local Upstash Redis REST server: real Lua, real TTLs.
const runs: string[] = [];
let release: (() => void) | undefined;

const counting = defineJob({
  name: "counting",
  schema: z.object({ id: z.string(), block: z.boolean().optional(), fail: z.boolean().optional() }),
  retries: 2,
  async handler(payload) {
    runs.push(payload.id);
    if (payload.block) await new Promise<void>((resolve) => (release = resolve));
    if (payload.fail && runs.filter((id) => id === payload.id).length === 1) throw new Error("first attempt fails");
    return { id: payload.id };
  },
});
const jobs = { ...registry, counting };

const running = setupStackAndApp({ app: { registry: jobs } });
beforeEach(() => {
  runs.length = 0;
});

const verify = createVerifier({ currentSigningKey: DEV_CURRENT_KEY, nextSigningKey: DEV_NEXT_KEY });
async function deliver(payload: unknown, messageId: string, retried = 0) {
  const url = `${running.app.url}/api/jobs/counting`;
  const request = signedRequest({ url, body: JSON.stringify(payload), messageId, retried });
  const response = await handleJobRequest(jobs, "counting", request, {
    ...jobRouteDepsOf(running.app.services, verify),
    runtime: "nodejs",
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("idempotent runs", () => {
  test("the same message delivered three times runs once", async () => {
    const first = await deliver({ id: "a" }, "msg_a");
    const second = await deliver({ id: "a" }, "msg_a");
    const third = await deliver({ id: "a" }, "msg_a");
    expect(first).toEqual({ status: 200, body: { ok: true, job: "counting", messageId: "msg_a", result: { id: "a" } } });
    expect(second.body).toMatchObject({ ok: true, duplicate: true });
    expect(third.body).toMatchObject({ ok: true, duplicate: true });
    expect(runs).toEqual(["a"]);
    expect(await getRun(running.app.services.redis, "msg_a")).toMatchObject({
      status: "succeeded",
      attempts: 1,
      result: { id: "a" },
    });
  });

  test("another message with the same business key is recorded as a duplicate of the first, not left queued", async () => {
    const keyed = { ...jobs, keyed: { ...counting, name: "keyed", idempotencyKey: (payload: { id: string }) => payload.id } };
    const send = async (messageId: string) => {
      const url = `${running.app.url}/api/jobs/keyed`;
      const request = signedRequest({ url, body: JSON.stringify({ id: "k" }), messageId });
      return (
        await handleJobRequest(keyed, "keyed", request, { ...jobRouteDepsOf(running.app.services, verify), runtime: "nodejs" })
      ).json();
    };
    expect(await send("msg_k1")).toMatchObject({ ok: true, result: { id: "k" } });
    expect(await send("msg_k2")).toMatchObject({ ok: true, duplicate: true });
    expect(runs).toEqual(["k"]);
    expect(await getRun(running.app.services.redis, "msg_k2")).toMatchObject({ status: "succeeded", duplicateOf: "msg_k1" });
  });

  test("a duplicate arriving while the first still runs is refused with a retryable 409", async () => {
    const first = deliver({ id: "b", block: true }, "msg_b");
    // Wait until the first delivery is inside the handler (it holds the lease).
    for (let i = 0; i < 1000 && !release; i++) await new Promise((resolve) => setImmediate(resolve));
    const concurrent = await deliver({ id: "b", block: true }, "msg_b");
    release!();
    release = undefined;
    expect(concurrent.status).toBe(409);
    expect((await first).status).toBe(200);
    expect(runs).toEqual(["b"]);
  });

  test("a failed run releases its lease so the retry runs", async () => {
    const first = await deliver({ id: "c", fail: true }, "msg_c");
    expect(first.status).toBe(500);
    expect(await getRun(running.app.services.redis, "msg_c")).toMatchObject({
      status: "failed",
      lastError: "Error: first attempt fails",
    });
    const retry = await deliver({ id: "c", fail: true }, "msg_c", 1);
    expect(retry.status).toBe(200);
    expect(runs).toEqual(["c", "c"]);
    expect(await getRun(running.app.services.redis, "msg_c")).toMatchObject({ status: "succeeded", attempts: 2 });
  });
});

describe("delivered by the local QStash", () => {
  test("a published test job is delivered, verified and run; the run record tells the story", async () => {
    const { messageId } = await running.app.services.queue.enqueue(registry.test!, { message: "smoke" });
    await running.stack.qstash.idle();
    const run = await getRun(running.app.services.redis, messageId);
    expect(run).toMatchObject({ job: "test", status: "succeeded", attempts: 1, result: { echoed: "smoke" } });
  });

  test("a non-retryable failure lands in the DLQ and the failure callback marks the run dead", async () => {
    const { messageId } = await running.app.services.queue.enqueue(registry.test!, {
      message: "boom",
      failWith: "non-retryable",
    });
    await running.stack.qstash.idle();
    const { messages } = await running.app.qstash.dlq.listMessages({ filter: { messageId } });
    expect(messages).toHaveLength(1);
    expect(messages[0]!.responseStatus).toBe(489);
    expect(await getRun(running.app.services.redis, messageId)).toMatchObject({
      status: "dead",
      lastError: expect.stringContaining("489"),
    });
  });
});
