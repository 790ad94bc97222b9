import { describe, expect, it } from "vitest";
import { trackPeakActive, useTestQStash } from "@/tests/helpers/local-qstash";

// §14 item 20 and §10 queues.

describe("local QStash: queues", () => {
  const ctx = useTestQStash();

  it("§14.20 upsert sends {queueName,parallelism,paused}; get and list have the §10 shape", async () => {
    const { client, clock } = ctx();
    await client.queue({ queueName: "emails" }).upsert({ parallelism: 3 });
    expect(await client.queue({ queueName: "emails" }).get()).toEqual({
      name: "emails",
      createdAt: clock.now(),
      updatedAt: clock.now(),
      parallelism: 3,
      lag: 0,
      paused: false,
    });
    await client.queue({ queueName: "other" }).upsert({ paused: true });
    expect((await client.queue().list()).map((queue) => [queue.name, queue.parallelism, queue.paused])).toEqual([
      ["emails", 3, false],
      ["other", 1, true],
    ]);
  });

  it("§14.20 strict FIFO at parallelism 1, including a message's retries", async () => {
    const { client, server, receiver, at } = ctx();
    const order: string[] = [];
    receiver.respond((delivery) => {
      order.push(`${delivery.path}#${delivery.retried}`);
      return delivery.path === "/q/1" && delivery.retried < 2 ? { status: 500 } : { status: 200 };
    });
    const queue = client.queue({ queueName: "fifo" });
    await queue.upsert({ parallelism: 1 });
    for (const n of [1, 2, 3]) await queue.enqueue({ url: at(`/q/${n}`), body: String(n), retryDelay: "1000" });
    await server.advance(60_000);
    expect(order).toEqual(["/q/1#0", "/q/1#1", "/q/1#2", "/q/2#0", "/q/3#0"]);
    expect(receiver.maxConcurrent.get("/q/1")).toBe(1);
  });

  it("§10 parallelism N lets N run at once and never more", async () => {
    const { client, server, receiver, at } = ctx();
    const peak = trackPeakActive(server.events);
    const queue = client.queue({ queueName: "wide" });
    await queue.upsert({ parallelism: 2 });
    // All due at the same instant, so a server ignoring the limit would start all five together.
    for (const n of [1, 2, 3, 4, 5]) await queue.enqueue({ url: at(`/w/${n}`), body: "x", delay: 10 });
    await server.advance(10_000);
    expect(receiver.deliveries).toHaveLength(5);
    expect(peak()).toBe(2);
  });

  it("§14.20 pause holds deliveries, resume lets them go; lag counts what waits", async () => {
    const { client, server, receiver, at } = ctx();
    const queue = client.queue({ queueName: "held" });
    await queue.upsert({ parallelism: 1 });
    await queue.pause();
    expect((await queue.get()).paused).toBe(true);
    await queue.enqueue({ url: at("/held/1"), body: "x" });
    await queue.enqueue({ url: at("/held/2"), body: "x" });
    await server.advance(60_000);
    expect(receiver.deliveries).toEqual([]);
    expect((await queue.get()).lag).toBe(2);
    await queue.resume();
    await server.idle();
    expect(receiver.deliveries.map((delivery) => delivery.path)).toEqual(["/held/1", "/held/2"]);
    expect((await queue.get()).lag).toBe(0);
  });

  it("§10 delete removes the queue and what waits in it; unknown queues are 404", async () => {
    const { client, server, receiver, at, api } = ctx();
    const queue = client.queue({ queueName: "gone" });
    await queue.upsert({ paused: true });
    await queue.enqueue({ url: at("/gone"), body: "x" });
    await queue.delete();
    await server.advance(60_000);
    expect(receiver.deliveries).toEqual([]);
    expect((await api("/v2/queues/gone")).status).toBe(404);
    expect((await api("/v2/queues", { method: "POST", body: JSON.stringify({ queueName: "bad name" }) })).status).toBe(400);
  });
});
