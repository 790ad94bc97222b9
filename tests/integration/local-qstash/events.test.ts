import { describe, expect, it } from "vitest";
import { useTestQStash } from "@/tests/helpers/local-qstash";

// §14 item 18 and §11: the event log.

describe("local QStash: events", () => {
  const ctx = useTestQStash();

  it("§14.18 client.logs() reads GET /v2/events; newest first with the §11 fields", async () => {
    const { client, server, at } = ctx();
    const { messageId } = await client.publish({ url: at("/e"), body: "hi", label: "l1" });
    await server.idle();
    const { logs, cursor } = await client.logs({ filter: { messageId } });
    expect(cursor).toBeUndefined();
    expect(logs.map((log) => log.state)).toEqual(["DELIVERED", "ACTIVE", "CREATED"]);
    expect(logs[0]).toMatchObject({
      time: expect.any(Number),
      messageId,
      url: at("/e"),
      body: Buffer.from("hi").toString("base64"),
      label: "l1",
      labels: ["l1"],
      responseStatus: 200,
      method: "POST",
      maxRetries: 3,
    });
  });

  it("§14.18 /v2/logs is an alias and both keys are present", async () => {
    const { client, server, api, at } = ctx();
    await client.publish({ url: at("/e"), body: "x" });
    await server.idle();
    for (const path of ["/v2/events", "/v2/logs"]) {
      const body = (await (await api(path)).json()) as { events: unknown[]; logs: unknown[]; cursor?: string };
      expect(body.events).toHaveLength(3);
      expect(body.logs).toEqual(body.events);
      expect("cursor" in body).toBe(false);
    }
  });

  it("§14.18 pages with count and an opaque cursor, omitted on the last page", async () => {
    const { client, server, at } = ctx();
    for (let n = 0; n < 3; n++) await client.publish({ url: at(`/p${n}`), body: "x" });
    await server.idle();
    const states: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await client.logs({ count: 4, cursor: cursor as unknown as number });
      states.push(...page.logs.map((log) => log.state));
      cursor = page.cursor as unknown as string | undefined;
      pages++;
    } while (cursor && pages < 10);
    expect(states).toHaveLength(9);
    expect(pages).toBe(3);
  });

  it("§11 filters by state, url, label, queue, dates and messageIds, and records RETRY, ERROR, FAILED and CANCELLED", async () => {
    const { client, server, receiver, at, clock } = ctx();
    receiver.respond((delivery) => (delivery.path === "/fail" ? { status: 500, body: "x" } : { status: 200 }));
    const failing = await client.publish({ url: at("/fail"), body: "x", retries: 1, retryDelay: "10", label: "red" });
    const queued = await client.queue({ queueName: "events-q" }).enqueue({ url: at("/ok"), body: "x" });
    const cancelled = await client.publish({ url: at("/later"), body: "x", delay: 60 });
    await client.messages.cancel(cancelled.messageId);
    await server.advance(1_000);
    const states = async (filter: Record<string, unknown>) => (await client.logs({ filter })).logs.map((log) => log.state);
    expect(await states({ messageId: failing.messageId })).toEqual([
      "FAILED",
      "ERROR",
      "ACTIVE",
      "RETRY",
      "ERROR",
      "ACTIVE",
      "CREATED",
    ]);
    expect(await states({ state: "RETRY" })).toEqual(["RETRY"]);
    const retry = (await client.logs({ filter: { state: "RETRY" } })).logs[0]!;
    expect(retry.nextDeliveryTime).toBe(retry.time + 10);
    expect((await client.logs({ filter: { state: "ERROR" } })).logs[0]).toMatchObject({
      error: "status 500",
      responseStatus: 500,
    });
    expect(await states({ label: "red", state: "FAILED" })).toEqual(["FAILED"]);
    expect(await states({ queueName: "events-q" })).toEqual(["DELIVERED", "ACTIVE", "CREATED"]);
    expect(await states({ url: at("/later") })).toEqual(["CANCELLED", "CANCEL_REQUESTED", "CREATED"]);
    expect(await states({ fromDate: clock.now() + 1 })).toEqual([]);
    const byIds = await client.logs({ messageIds: [queued.messageId, cancelled.messageId] });
    expect(new Set(byIds.logs.map((log) => log.messageId))).toEqual(new Set([queued.messageId, cancelled.messageId]));
  });

  it("emits every event on server.events so tests can await state changes", async () => {
    const { client, server, at, nextEvent } = ctx();
    const delivered = nextEvent((event) => event.state === "DELIVERED");
    const { messageId } = await client.publish({ url: at("/emit"), body: "x" });
    await server.idle();
    expect((await delivered).messageId).toBe(messageId);
  });
});
