import { describe, expect, it } from "vitest";
import { trackPeakActive, trackStarts, useTestQStash } from "@/tests/helpers/local-qstash";

// §14 item 22 and §8: limits that delay (never reject), and the flow-control API.

describe("local QStash: flow control", () => {
  const ctx = useTestQStash();

  it("§8 parallelism 1 never has two deliveries of a key in flight", async () => {
    const { client, server, receiver, at } = ctx();
    const solo = trackPeakActive(server.events, (event) => event.flowControlKey === "solo");
    const all = trackPeakActive(server.events);
    receiver.respond((delivery) => (delivery.path === "/fc/2" && delivery.retried === 0 ? { status: 500 } : { status: 200 }));
    // All due at the same instant, so a server ignoring the limit would start them together.
    for (const n of [1, 2, 3, 4]) {
      await client.publish({
        url: at(`/fc/${n}`),
        body: "x",
        delay: 10,
        retryDelay: "0",
        flowControl: { key: "solo", parallelism: 1 },
      });
    }
    await client.publish({ url: at("/other"), body: "x", delay: 10, flowControl: { key: "other", parallelism: 1 } });
    await server.advance(10_000);
    expect(solo()).toBe(1);
    expect(all()).toBe(2);
    expect(receiver.maxConcurrent.get("/fc/1") ?? 0).toBeLessThanOrEqual(1);
    expect(receiver.deliveries.filter((delivery) => delivery.path.startsWith("/fc/"))).toHaveLength(5);
    expect(receiver.to("/other")).toHaveLength(1);
    expect(await client.flowControl.get("solo")).toMatchObject({ parallelismCount: 0, waitListSize: 0, parallelismMax: 1 });
  });

  it("§8 rate per period: over the limit waits for the next period", async () => {
    const { client, server, receiver, at, clock } = ctx();
    const start = clock.now();
    for (const n of [1, 2, 3, 4, 5])
      await client.publish({ url: at(`/r/${n}`), body: "x", flowControl: { key: "rl", rate: 2, period: "1m" } });
    await server.advance(5 * 60_000);
    expect(receiver.deliveries.map((delivery) => delivery.at - start)).toEqual([0, 0, 60_000, 60_000, 120_000]);
  });

  it("§8 a burst of 200 at rate 2 and parallelism 2 (an email pace): two starts a second, drained in N / rate", async () => {
    const { client, server, receiver, at, clock } = ctx();
    const burst = 200;
    const start = clock.now();
    const pace = { key: "email", rate: 2, parallelism: 2 };
    const starts = trackStarts(server.events);
    const published = await client.batchJSON(
      Array.from({ length: burst }, (_, n) => ({ url: at(`/burst/${n}`), body: { n }, flowControl: pace })),
    );
    await server.advance((burst / pace.rate + 5) * 1_000);
    const offsets = receiver.deliveries.map((delivery) => delivery.at - start);
    expect(offsets).toHaveLength(burst);
    expect(Math.max(...perSecond(offsets).values())).toBe(pace.rate);
    // The last pair starts one period before N / rate seconds have passed: no slack, no burst.
    expect(Math.max(...offsets)).toBe((burst / pace.rate - 1) * 1_000);
    // Publish order is kept through the wait list: the server starts them in that order...
    expect(starts().map((event) => event.messageId)).toEqual(published.map((response) => response.messageId));
    // ...so message n arrives in pace slot n / rate. (The two of a slot race each other to the receiver.)
    const arrivals = receiver.deliveries
      .map((delivery): [number, number] => [JSON.parse(delivery.body).n, delivery.at - start])
      .sort(([a], [b]) => a - b);
    expect(arrivals).toEqual(Array.from({ length: burst }, (_, n) => [n, Math.floor(n / pace.rate) * 1_000]));
  });

  it("§8 + §3.2 a retry after Retry-After waits its time and then takes a pace slot like any delivery", async () => {
    const { client, server, receiver, at, clock } = ctx();
    const start = clock.now();
    const pace = { key: "email", rate: 2, parallelism: 2 };
    receiver.respond((delivery) =>
      delivery.path === "/paced/0" && delivery.retried === 0 ? { status: 429, headers: { "Retry-After": "1" } } : { status: 200 },
    );
    for (let n = 0; n < 6; n++) await client.publishJSON({ url: at(`/paced/${n}`), body: { n }, retries: 1, flowControl: pace });
    await server.advance(10_000);
    const offsets = receiver.deliveries.map((delivery) => delivery.at - start);
    expect(offsets).toHaveLength(7);
    expect(Math.max(...perSecond(offsets).values())).toBe(2);
    const [first, retry] = receiver.to("/paced/0");
    expect(retry!.retried).toBe(1);
    expect(retry!.at - first!.at).toBeGreaterThanOrEqual(1_000);
    expect((await client.dlq.listMessages()).messages).toEqual([]);
  });

  it("§14.22 get, list and globalParallelism have the §8 shapes", async () => {
    const { client, api, at, clock } = ctx();
    await client.publish({
      url: at("/s"),
      body: "x",
      delay: 60,
      flowControl: { key: "shape", parallelism: 3, rate: 10, period: 30 },
    });
    const info = await client.flowControl.get("shape");
    expect(info).toEqual({
      flowControlKey: "shape",
      waitListSize: 1,
      parallelismMax: 3,
      parallelismCount: 0,
      rateMax: 10,
      rateCount: 0,
      ratePeriod: 30,
      ratePeriodStart: clock.now(),
      isPaused: false,
      isPinnedParallelism: false,
      isPinnedRate: false,
    });
    expect(await (await api("/v2/flowControl")).json()).toEqual([info]);
    expect(await client.flowControl.getGlobalParallelism()).toEqual({ parallelismMax: expect.any(Number), parallelismCount: 0 });
    await expect(client.flowControl.get("unknown")).rejects.toMatchObject({ status: 404 });
  });

  it("§14.22 pause/resume hold and release a key's messages", async () => {
    const { client, server, receiver, at } = ctx();
    await client.flowControl.pause("held");
    await client.publish({ url: at("/held"), body: "x", flowControl: { key: "held", parallelism: 5 } });
    await server.advance(60_000);
    expect(receiver.deliveries).toEqual([]);
    expect(await client.flowControl.get("held")).toMatchObject({ isPaused: true, waitListSize: 1 });
    await client.flowControl.resume("held");
    await server.idle();
    expect(receiver.deliveries).toHaveLength(1);
  });

  it("§14.22 pin keeps settings against newer messages; unpin lets them through; resetRate ends the period", async () => {
    const { client, server, receiver, at, clock } = ctx();
    await client.flowControl.pin("pinned", { parallelism: 1, rate: 1, period: 3600 });
    await client.publish({ url: at("/pin/1"), body: "x", flowControl: { key: "pinned", parallelism: 50, rate: 50 } });
    expect(await client.flowControl.get("pinned")).toMatchObject({
      parallelismMax: 1,
      rateMax: 1,
      ratePeriod: 3600,
      isPinnedParallelism: true,
      isPinnedRate: true,
    });
    await server.idle();
    await client.publish({ url: at("/pin/2"), body: "x", flowControl: { key: "pinned", parallelism: 50, rate: 50 } });
    await server.advance(60_000);
    expect(receiver.deliveries).toHaveLength(1);
    await client.flowControl.resetRate("pinned");
    await server.idle();
    expect(receiver.deliveries).toHaveLength(2);
    expect(await client.flowControl.get("pinned")).toMatchObject({ rateCount: 1, ratePeriodStart: clock.now() });
    await client.flowControl.unpin("pinned", { parallelism: true, rate: true });
    await client.publish({ url: at("/pin/3"), body: "x", flowControl: { key: "pinned", parallelism: 7, rate: 9 } });
    expect(await client.flowControl.get("pinned")).toMatchObject({
      parallelismMax: 7,
      rateMax: 9,
      isPinnedParallelism: false,
      isPinnedRate: false,
    });
  });
});

/** Deliveries started in each whole second after the start (offsets in ms). */
function perSecond(offsets: number[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const offset of offsets) counts.set(Math.floor(offset / 1_000), (counts.get(Math.floor(offset / 1_000)) ?? 0) + 1);
  return counts;
}
