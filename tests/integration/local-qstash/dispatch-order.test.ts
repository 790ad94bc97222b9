import { describe, expect, it } from "vitest";
import { trackPeakActive, trackStarts, useTestQStash } from "@/tests/helpers/local-qstash";

// The dispatcher's index: due order, limits that change while messages wait, and cancels of held-back messages.

describe("local QStash: dispatch order and held-back messages", () => {
  const ctx = useTestQStash();

  it("delivers many messages in due-time order, publish order among equal times", async () => {
    const { client, server, receiver, at } = ctx();
    const queue = client.queue({ queueName: "one-by-one" });
    await queue.upsert({ parallelism: 1 });
    const delays = Array.from({ length: 60 }, (_, n) => (n * 13) % 5);
    for (const [n, delay] of delays.entries()) await queue.enqueue({ url: at(`/o/${n}`), body: "x", delay });
    await server.advance(10_000);
    const expected = delays
      .map((delay, n) => ({ delay, n }))
      .sort((a, b) => a.delay - b.delay || a.n - b.n)
      .map(({ n }) => `/o/${n}`);
    expect(receiver.deliveries.map((delivery) => delivery.path)).toEqual(expected);
  });

  it("raising a queue's parallelism while messages wait lets more of them run at once", async () => {
    const { client, server, receiver, at } = ctx();
    const queue = client.queue({ queueName: "widened" });
    await queue.upsert({ parallelism: 1, paused: true });
    for (const n of [1, 2, 3, 4, 5, 6]) await queue.enqueue({ url: at(`/wide/${n}`), body: "x" });
    await server.advance(1_000);
    expect(receiver.deliveries).toEqual([]);
    const peak = trackPeakActive(server.events);
    await queue.upsert({ parallelism: 3 });
    await server.idle();
    expect(receiver.deliveries).toHaveLength(6);
    expect(peak()).toBe(3);
  });

  it("a message held by both a queue and a flow-control key runs once each limit allows, never beyond either", async () => {
    const { client, server, receiver, at } = ctx();
    const queue = client.queue({ queueName: "both" });
    await queue.upsert({ parallelism: 3 });
    for (const n of [1, 2, 3, 4, 5, 6, 7]) {
      await queue.enqueue({ url: at(`/both/${n}`), body: "x", delay: 1, flowControl: { key: "tight", parallelism: 1 } });
    }
    const peak = trackPeakActive(server.events);
    await server.advance(5_000);
    expect(receiver.deliveries.map((delivery) => delivery.path)).toEqual([1, 2, 3, 4, 5, 6, 7].map((n) => `/both/${n}`));
    expect(peak()).toBe(1);
  });

  it("cancelling held-back messages leaves the rest to run in order", async () => {
    const { client, server, receiver, at } = ctx();
    const queue = client.queue({ queueName: "thinned" });
    await queue.upsert({ parallelism: 1, paused: true });
    const ids: string[] = [];
    for (const n of [1, 2, 3, 4, 5]) ids.push((await queue.enqueue({ url: at(`/thin/${n}`), body: "x" })).messageId);
    await server.advance(1_000);
    await client.messages.delete(ids[1]!);
    await client.messages.delete(ids[3]!);
    await queue.resume();
    await server.idle();
    expect(receiver.deliveries.map((delivery) => delivery.path)).toEqual(["/thin/1", "/thin/3", "/thin/5"]);
  });

  it("a flow-control rate releases the next messages when its window ends", async () => {
    const { client, server, receiver, at } = ctx();
    const starts = trackStarts(server.events);
    for (const n of [1, 2, 3, 4, 5]) {
      await client.publish({ url: at(`/rate/${n}`), body: "x", flowControl: { key: "slow", rate: 2, period: 10 } });
    }
    await server.idle();
    expect(receiver.deliveries).toHaveLength(2);
    await server.advance(10_000);
    expect(receiver.deliveries).toHaveLength(4);
    await server.advance(10_000);
    expect(receiver.deliveries).toHaveLength(5);
    // Started in publish order (the two of a window are in flight together, so they may reach the receiver either way round).
    expect(starts().map((event) => new URL(event.url).pathname)).toEqual([1, 2, 3, 4, 5].map((n) => `/rate/${n}`));
  });
});
