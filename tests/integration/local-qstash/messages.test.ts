import { describe, expect, it } from "vitest";
import { useTestQStash } from "@/tests/helpers/local-qstash";

// §14 items 14–16: reading and cancelling pending messages.

describe("local QStash: messages", () => {
  const ctx = useTestQStash();

  it("§14.16 GET /v2/messages/{id} returns the Message shape with header as {name:[values]}", async () => {
    const { client, at, clock } = ctx();
    const { messageId } = await client.publish({
      url: at("/m"),
      body: "hello",
      delay: 60,
      headers: { "X-One": "1", "Content-Type": "text/plain" },
    });
    expect(await client.messages.get(messageId)).toEqual({
      messageId,
      url: at("/m"),
      method: "POST",
      header: { "X-One": ["1"], "Content-Type": ["text/plain"] },
      body: "hello",
      maxRetries: 3,
      notBefore: clock.now() + 60_000,
      createdAt: clock.now(),
      callerIp: "127.0.0.1",
      urlGroup: undefined,
      ratePerSecond: undefined,
    });
  });

  it("§14.16 non-UTF-8 bodies come back as bodyBase64; delivered and unknown messages are 404", async () => {
    const { client, server, api, at } = ctx();
    const bytes = Buffer.from([0xff, 0xfe, 0x00]);
    const { messageId } = await client.publish({ url: at("/bin"), body: new Blob([bytes]), delay: 10 });
    expect(await client.messages.get(messageId)).toMatchObject({ bodyBase64: bytes.toString("base64") });
    await server.advance(10_000);
    expect((await api(`/v2/messages/${messageId}`)).status).toBe(404);
    const unknown = await api("/v2/messages/msg_nope");
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: "message msg_nope not found" });
  });

  it("§2.2 Upstash-Redact-Fields hides the body and named headers from the API, never from the delivery", async () => {
    const { client, server, receiver, at } = ctx();
    const { messageId } = await client.publish({
      url: at("/secret"),
      body: "card=4242",
      headers: { Authorization: "Bearer s3cret", "X-Plain": "visible" },
      delay: 5,
      redact: { body: true, header: ["Authorization"] },
    });
    expect(await client.messages.get(messageId)).toMatchObject({
      body: "REDACTED",
      header: { Authorization: ["REDACTED"], "X-Plain": ["visible"] },
    });
    await server.advance(5_000);
    expect(receiver.deliveries[0]).toMatchObject({
      body: "card=4242",
      headers: expect.objectContaining({ authorization: "Bearer s3cret" }),
    });
    const { logs } = await client.logs({ filter: { messageId } });
    expect(logs.every((log) => log.body === "REDACTED" && log.header?.Authorization?.[0] === "REDACTED")).toBe(true);
  });

  it("§14.14 DELETE /v2/messages/{id} answers JSON {cancelled:1}, and nothing is delivered", async () => {
    const { client, server, receiver, at, states, api } = ctx();
    const { messageId } = await client.publish({ url: at("/cancel-me"), body: "x", delay: 30 });
    expect(await client.messages.cancel(messageId)).toEqual({ cancelled: 1 });
    await server.advance(60_000);
    expect(receiver.deliveries).toEqual([]);
    expect(states(messageId)).toEqual(["CREATED", "CANCEL_REQUESTED", "CANCELLED"]);
    expect((await api(`/v2/messages/${messageId}`, { method: "DELETE" })).status).toBe(404);
    // The deprecated delete() sends the same request and ignores the body.
    const { messageId: other } = await client.publish({ url: at("/x"), body: "x", delay: 30 });
    await client.messages.delete(other);
    await server.advance(60_000);
    expect(receiver.deliveries).toEqual([]);
  });

  it("§14.15 bulk cancel by messageIds returns {cancelled}", async () => {
    const { client, server, receiver, at } = ctx();
    const ids = await Promise.all(
      [1, 2, 3].map(async (n) => (await client.publish({ url: at(`/b${n}`), body: "x", delay: 5 })).messageId),
    );
    expect(await client.messages.cancel([ids[0]!, ids[2]!, "msg_unknown"])).toEqual({ cancelled: 2 });
    await server.advance(5_000);
    expect(receiver.deliveries.map((delivery) => delivery.path)).toEqual(["/b2"]);
  });

  it("§14.15 bulk cancel by filters (ANDed fields, ORed values)", async () => {
    const { client, server, receiver, at } = ctx();
    await client.publish({ url: at("/f1"), body: "x", delay: 5, label: "keep" });
    await client.publish({ url: at("/f2"), body: "x", delay: 5, label: "drop" });
    await client.publish({ url: at("/f3"), body: "x", delay: 5, label: "drop", flowControl: { key: "fk", parallelism: 1 } });
    await client.queue({ queueName: "qq" }).enqueue({ url: at("/f4"), body: "x", delay: 5 });
    expect(await client.messages.cancel({ filter: { label: "drop", flowControlKey: "fk" } })).toEqual({ cancelled: 1 });
    expect(await client.messages.cancel({ filter: { queueName: "qq" } })).toEqual({ cancelled: 1 });
    expect(await client.messages.cancel({ filter: { url: [at("/f2"), at("/nope")] } })).toEqual({ cancelled: 1 });
    await server.advance(5_000);
    expect(receiver.deliveries.map((delivery) => delivery.path)).toEqual(["/f1"]);
  });

  it("§14.15 no filter means cancel everything pending", async () => {
    const { client, server, receiver, at } = ctx();
    for (const n of [1, 2, 3]) await client.publish({ url: at(`/all${n}`), body: "x", delay: 5 });
    expect(await client.messages.cancel({ all: true })).toEqual({ cancelled: 3 });
    expect(await client.messages.deleteAll()).toBe(0);
    await server.advance(5_000);
    expect(receiver.deliveries).toEqual([]);
  });

  it("a message cancelled mid-attempt finishes as CANCELLED and is not retried", async () => {
    const { client, server, receiver, at, states } = ctx();
    let release: (() => void) | undefined;
    const entered = new Promise<void>((resolve) =>
      receiver.respond(async () => {
        resolve();
        await new Promise<void>((done) => (release = done));
        return { status: 500 };
      }),
    );
    const { messageId } = await client.publish({ url: at("/busy"), body: "x", retries: 3 });
    await entered;
    expect(await client.messages.cancel(messageId)).toEqual({ cancelled: 1 });
    release!();
    await server.advance(86_400_000);
    expect(receiver.deliveries).toHaveLength(1);
    expect(states(messageId)).toEqual(["CREATED", "ACTIVE", "CANCEL_REQUESTED", "CANCELLED"]);
  });
});
