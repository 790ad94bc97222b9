import { describe, expect, it } from "vitest";
import { systemClock } from "@/local/clock";
import { startQStashServer } from "@/local/qstash/server";
import { useTestQStash } from "@/tests/helpers/local-qstash";

// The /__stack controls and the dashboard: for tests in other processes and for people.

describe("local QStash: controls and dashboard", () => {
  const ctx = useTestQStash();

  it("POST /__stack/clock/advance moves the manual clock and waits for the deliveries it triggers", async () => {
    const { client, server, receiver, at, clock } = ctx();
    const before = clock.now();
    await client.publish({ url: at("/later"), body: "x", delay: 90 });
    const response = await fetch(`${server.url}/__stack/clock/advance`, { method: "POST", body: JSON.stringify({ ms: 90_000 }) });
    expect(await response.json()).toEqual({ now: before + 90_000 });
    expect(receiver.deliveries).toHaveLength(1);
    expect(await (await fetch(`${server.url}/__stack/clock`)).json()).toEqual({ now: before + 90_000, manual: true });
    const bad = await fetch(`${server.url}/__stack/clock/advance`, { method: "POST", body: JSON.stringify({ ms: -1 }) });
    expect(bad.status).toBe(400);
  });

  it("GET /__stack/state is a JSON snapshot; POST /__stack/reset wipes everything", async () => {
    const { client, server, at } = ctx();
    await client.publish({ url: at("/pending"), body: "x", delay: 60, label: "snap" });
    await client.schedules.create({ destination: at("/s"), cron: "0 0 * * *" });
    await client.queue({ queueName: "snap-q" }).upsert({ parallelism: 2 });
    const state = (await (await fetch(`${server.url}/__stack/state`)).json()) as Record<string, unknown[]> & {
      manualClock: boolean;
    };
    expect(state.manualClock).toBe(true);
    expect(state.messages).toEqual([
      expect.objectContaining({ url: at("/pending"), state: "CREATED", retried: 0, labels: ["snap"] }),
    ]);
    expect(state.schedules).toHaveLength(1);
    expect(state.queues).toEqual([expect.objectContaining({ name: "snap-q", parallelism: 2, lag: 0 })]);
    expect(state.events!.length).toBeGreaterThan(0);
    expect(await (await fetch(`${server.url}/__stack/reset`, { method: "POST" })).json()).toEqual({ reset: true });
    const after = (await (await fetch(`${server.url}/__stack/state`)).json()) as Record<string, unknown[]>;
    expect([after.messages, after.schedules, after.queues, after.dlq, after.events]).toEqual([[], [], [], [], []]);
  });

  it("GET / renders the dashboard with escaped data and a nonce'd refresh script", async () => {
    const { client, server, receiver, at } = ctx();
    receiver.respond(() => ({
      status: 489,
      headers: { "upstash-nonretryable-error": "true" },
      body: "<script>alert(1)</script>",
    }));
    await client.publish({ url: at("/dead?x=<b>"), body: "x" });
    await client.publish({ url: at("/waiting"), body: "x", delay: 60 });
    await server.idle();
    const response = await fetch(`${server.url}/`);
    expect(response.headers.get("content-type")).toContain("text/html");
    expect(response.headers.get("content-security-policy")).toMatch(/script-src 'nonce-/);
    const html = await response.text();
    expect(html).toContain("Dead-letter queue (1)");
    expect(html).toContain("Messages in flight or waiting (1)");
    expect(html).toContain("/waiting");
    expect(html).not.toContain("<script>alert(1)</script>");
    expect(html).toContain("&#60;script&#62;alert(1)&#60;/script&#62;");
    expect(html).toContain("/__stack/dashboard");
    const fragment = await fetch(`${server.url}/__stack/dashboard`);
    expect(await fragment.text()).toContain("Recent events");
  });

  it("controls stay off /v2 and unknown paths are 404 JSON", async () => {
    const { api, server } = ctx();
    expect((await api("/v2/__stack/state")).status).toBe(404);
    const missing = await fetch(`${server.url}/__stack/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: expect.any(String) });
  });

  it("advancing a system clock is refused with 409", async () => {
    const server = await startQStashServer({ port: 0, dataFile: null, clock: systemClock() });
    try {
      const response = await fetch(`${server.url}/__stack/clock/advance`, { method: "POST", body: JSON.stringify({ ms: 1 }) });
      expect(response.status).toBe(409);
      expect(await response.json()).toEqual({ error: expect.stringContaining("manual clock") });
      await expect(server.advance(1)).rejects.toThrow(/manual clock/);
    } finally {
      await server.close();
    }
  });
});
