import { Client } from "@upstash/qstash";
import { describe, expect, it } from "vitest";
import type { QStashFaultEvent } from "@/local/qstash/server";
import { DEV_TOKEN, useTestQStash } from "@/tests/helpers/local-qstash";

// Switchable QStash faults: duplicate deliveries (at once and later) and a
// publish API that answers 5xx or drops connections for a window. Set
// in-process (`server.faults`) or over HTTP (`/__stack/faults`); counted as injected.

describe("local QStash: fault injection", () => {
  const ctx = useTestQStash();
  const setFaults = (body: unknown) =>
    fetch(`${ctx().server.url}/__stack/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });

  it("duplicates: every delivery goes out twice, some copies at once and some later, same message id, each signed", async () => {
    const { client, server, receiver, at } = ctx();
    expect((await setFaults({ duplicates: { rate: 1, laterMs: 5_000 } })).status).toBe(200);
    const ids = [];
    for (let i = 0; i < 10; i++) ids.push((await client.publish({ url: at("/dup"), body: `m${i}` })).messageId);
    await server.idle();
    await server.faults.copiesSettled();
    const { injected } = server.faults.state();
    expect(injected.duplicatesAtOnce).toBeGreaterThan(0);
    // The later copies wait on the clock: nothing of them yet.
    expect(receiver.to("/dup")).toHaveLength(10 + injected.duplicatesAtOnce);
    await server.advance(5_000);
    await server.faults.copiesSettled();
    const after = server.faults.state().injected;
    expect(after.duplicatesAtOnce + after.duplicatesLater).toBe(10);
    expect(receiver.to("/dup")).toHaveLength(20);
    for (const id of ids) expect(receiver.to("/dup").filter((d) => d.messageId === id)).toHaveLength(2);
    // A copy's answer changes no message state: each message is DELIVERED once.
    const delivered = (await (await ctx().api("/v2/events?state=DELIVERED")).json()) as { events: unknown[] };
    expect(delivered.events).toHaveLength(10);
    expect(receiver.verificationErrors).toEqual([]);
  });

  it("duplicates: rate 0.5 copies about half, and DELETE ends them (scheduled later copies dropped)", async () => {
    const { client, server, receiver, at } = ctx();
    server.faults.set({ duplicates: { rate: 0.5, laterMs: 1_000 } });
    for (let i = 0; i < 40; i++) await client.publish({ url: at("/half"), body: `m${i}` });
    await server.idle();
    await server.faults.copiesSettled();
    const cleared = (await (await fetch(`${server.url}/__stack/faults`, { method: "DELETE" })).json()) as {
      duplicates?: unknown;
      injected: { duplicatesLater: number };
    };
    expect(cleared.duplicates).toBeUndefined();
    await server.advance(1_000);
    const { injected } = server.faults.state();
    expect(injected.duplicatesLater).toBe(0);
    expect(injected.duplicatesAtOnce).toBeGreaterThan(3);
    expect(injected.duplicatesAtOnce).toBeLessThan(37);
    expect(receiver.to("/half")).toHaveLength(40 + injected.duplicatesAtOnce);
  });

  it("publishOutage error: publishes answer 503 for the window, deliveries go on, then publishing works again", async () => {
    const { client, server, receiver, at, clock } = ctx();
    const { messageId: before } = await client.publish({ url: at("/before"), body: "x", delay: 10 });
    const faults: QStashFaultEvent[] = [];
    server.events.on("fault", (event: QStashFaultEvent) => faults.push(event));
    const response = await setFaults({ publishOutage: { mode: "error", durationMs: 30_000 } });
    expect(await response.json()).toMatchObject({ publishOutage: { mode: "error", endsAt: clock.now() + 30_000 } });
    await expect(client.publish({ url: at("/during"), body: "x" })).rejects.toThrow(/503|down/);
    await expect(client.batchJSON([{ url: at("/during"), body: {} }])).rejects.toThrow();
    const enqueue = await ctx().api(`/v2/enqueue/q/${at("/during")}`, { method: "POST", body: "x" });
    expect(enqueue.status).toBe(503);
    // Reads and the rest of the API still answer, and a message published before is delivered.
    expect((await ctx().api(`/v2/messages/${before}`)).status).toBe(200);
    await server.advance(10_000);
    expect(receiver.to("/before")).toHaveLength(1);
    await server.advance(20_000);
    await client.publish({ url: at("/after"), body: "x" });
    await server.idle();
    expect(receiver.to("/during")).toHaveLength(0);
    expect(receiver.to("/after")).toHaveLength(1);
    expect(server.faults.state().injected).toMatchObject({ publishErrors: 3, publishRefused: 0, publishOutages: 1 });
    expect(faults).toEqual(Array(3).fill({ kind: "publish", failure: { kind: "status", status: 503 } }));
  });

  it("publishOutage refuse: the connection is dropped unanswered until the faults are cleared", async () => {
    const { server, receiver, at } = ctx();
    // No SDK retries, so the one failure shows.
    const client = new Client({ baseUrl: server.url, token: DEV_TOKEN, retry: false, enableTelemetry: false });
    server.faults.set({ publishOutage: { mode: "refuse" } });
    await expect(client.publish({ url: at("/r"), body: "x" })).rejects.toThrow(/fetch failed|socket|other side closed/i);
    await expect(client.publish({ url: at("/r"), body: "x" })).rejects.toThrow();
    server.faults.clear();
    await client.publish({ url: at("/r"), body: "x" });
    await server.idle();
    expect(receiver.to("/r")).toHaveLength(1);
    expect(server.faults.state().injected).toMatchObject({ publishRefused: 2 });
  });

  it("stopPublishOutage ends the publish outage only: duplicates keep going", async () => {
    const { server, receiver, at } = ctx();
    const client = new Client({ baseUrl: server.url, token: DEV_TOKEN, retry: false, enableTelemetry: false });
    server.faults.set({ duplicates: { rate: 1, laterMs: 5_000 }, publishOutage: { mode: "error" } });
    await expect(client.publish({ url: at("/s"), body: "x" })).rejects.toThrow();
    const state = server.faults.stopPublishOutage();
    expect(state.publishOutage).toBeUndefined();
    expect(state.duplicates).toEqual({ rate: 1, laterMs: 5_000 });
    await client.publish({ url: at("/s"), body: "y" });
    await server.idle();
    await server.advance(5_000);
    await server.faults.copiesSettled();
    expect(receiver.to("/s")).toHaveLength(2);
    expect(server.faults.state().injected).toMatchObject({ publishErrors: 1, publishOutages: 1 });
  });

  it("rejects malformed fault bodies with 400 naming the field, and reset clears faults and counts", async () => {
    const { server } = ctx();
    for (const [body, message] of [
      [{ duplicates: { rate: 2 } }, "duplicates.rate"],
      [{ publishOutage: { mode: "down" } }, "publishOutage.mode"],
      [{ publishOutage: { mode: "error", status: 404 } }, "publishOutage.status"],
      [{ latency: 1 }, 'unknown fault "latency"'],
    ] as const) {
      const response = await setFaults(body);
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: string }).error).toContain(message);
    }
    server.faults.set({ publishOutage: { mode: "error" } });
    await fetch(`${server.url}/__stack/reset`, { method: "POST" });
    expect(await (await fetch(`${server.url}/__stack/faults`)).json()).toEqual({
      injected: { duplicatesAtOnce: 0, duplicatesLater: 0, publishErrors: 0, publishRefused: 0, publishOutages: 0 },
    });
  });
});
