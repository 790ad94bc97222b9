import { QstashError } from "@upstash/qstash";
import { describe, expect, it } from "vitest";
import { useTestQStash } from "@/tests/helpers/local-qstash";

// §14 items 3–8 and 24: what publish, enqueue and batch accept and answer.

describe("local QStash: publishing", () => {
  const ctx = useTestQStash();

  it("§14.3 reads the destination from the raw path plus the raw query string", async () => {
    const { client, server, receiver, at } = ctx();
    const { messageId } = await client.publish({ url: at("/api/x?a=1&b=two&c=%2F"), body: "q" });
    expect((await client.messages.get(messageId)).url).toBe(at("/api/x?a=1&b=two&c=%2F"));
    await server.idle();
    expect(receiver.deliveries[0]!.path).toBe("/api/x?a=1&b=two&c=%2F");
  });

  it("§14.3 tolerates http:/ collapsed by a proxy", async () => {
    const { api, server, receiver } = ctx();
    const collapsed = receiver.url.replace("http://", "http:/");
    const response = await api(`/v2/publish/${collapsed}/collapsed`, { method: "POST", body: "c" });
    expect(response.status).toBe(200);
    await server.idle();
    expect(receiver.deliveries.map((delivery) => delivery.path)).toEqual(["/collapsed"]);
  });

  it("refuses a body over 10 MB with 413 and stores nothing, whether or not its length was declared", async () => {
    const { api, at, server, receiver } = ctx();
    const oversized = Buffer.alloc(10 * 1024 * 1024 + 1, "a");
    const declared = await api(`/v2/publish/${at("/big")}`, { method: "POST", body: oversized });
    expect(declared.status).toBe(413);
    expect(await declared.json()).toEqual({ error: expect.stringContaining("larger than") });
    const streamed = await api(`/v2/publish/${at("/big")}`, {
      method: "POST",
      body: new ReadableStream({
        start(controller) {
          for (let offset = 0; offset < oversized.length; offset += 1024 * 1024)
            controller.enqueue(oversized.subarray(offset, offset + 1024 * 1024));
          controller.close();
        },
      }),
      duplex: "half",
    } as RequestInit);
    expect(streamed.status).toBe(413);
    await server.idle();
    expect(receiver.deliveries).toEqual([]);
  });

  it("§14.4 answers 200 {messageId} for a URL and an array of {messageId,url} for a URL group", async () => {
    const { client, at, api } = ctx();
    const single = await api(`/v2/publish/${at("/one")}`, { method: "POST", body: "x" });
    expect(single.status).toBe(200);
    expect(await single.json()).toEqual({ messageId: expect.stringMatching(/^msg_/) });
    await client.urlGroups.addEndpoints({ name: "group-1", endpoints: [{ url: at("/g1") }, { url: at("/g2") }] });
    const group = await client.publish({ urlGroup: "group-1", body: "g" });
    expect(group).toEqual([
      { messageId: expect.stringMatching(/^msg_/), url: at("/g1") },
      { messageId: expect.stringMatching(/^msg_/), url: at("/g2") },
    ]);
  });

  it("§14.5 a repeated deduplication id answers 202 with the first id and enqueues nothing", async () => {
    const { client, server, receiver, at, api } = ctx();
    const first = await client.publish({ url: at("/dedup"), body: "1", deduplicationId: "order-42" });
    const again = await api(`/v2/publish/${at("/dedup")}`, {
      method: "POST",
      body: "2",
      headers: { "Upstash-Deduplication-Id": "order-42" },
    });
    expect(again.status).toBe(202);
    expect(await again.json()).toEqual({ messageId: first.messageId, deduplicated: true });
    const viaSdk = await client.publish({ url: at("/dedup"), body: "3", deduplicationId: "order-42" });
    expect(viaSdk).toEqual({ messageId: first.messageId, deduplicated: true });
    await server.idle();
    expect(receiver.deliveries.map((delivery) => delivery.body)).toEqual(["1"]);
  });

  it("§14.5 content-based dedup catches the same body and headers, for ten minutes", async () => {
    const { client, server, receiver, at } = ctx();
    const first = await client.publishJSON({ url: at("/content"), body: { a: 1 }, contentBasedDeduplication: true });
    const same = await client.publishJSON({ url: at("/content"), body: { a: 1 }, contentBasedDeduplication: true });
    const different = await client.publishJSON({ url: at("/content"), body: { a: 2 }, contentBasedDeduplication: true });
    expect(same).toEqual({ messageId: first.messageId, deduplicated: true });
    expect(different.messageId).not.toBe(first.messageId);
    await server.advance(10 * 60_000 + 1);
    const later = await client.publishJSON({ url: at("/content"), body: { a: 1 }, contentBasedDeduplication: true });
    expect(later.messageId).not.toBe(first.messageId);
    await server.idle();
    expect(receiver.deliveries).toHaveLength(3);
  });

  it("§14.6 batch takes lower-case item headers and answers an array in input order", async () => {
    const { client, server, receiver, at } = ctx();
    await client.urlGroups.addEndpoints({ name: "batch-group", endpoints: [{ url: at("/bg") }] });
    const result = await client.batchJSON([
      { url: at("/b1"), body: { n: 1 }, headers: { "X-Trace": "t1" }, retries: 0 },
      { urlGroup: "batch-group", body: { n: 2 } },
      { url: at("/b3"), body: { n: 3 }, queueName: "batch-queue", delay: 5 },
    ]);
    expect(result).toEqual([
      { messageId: expect.stringMatching(/^msg_/) },
      [{ messageId: expect.stringMatching(/^msg_/), url: at("/bg") }],
      { messageId: expect.stringMatching(/^msg_/) },
    ]);
    const first = await client.messages.get((result[0] as { messageId: string }).messageId);
    expect(first).toMatchObject({ maxRetries: 0, header: { "X-Trace": ["t1"], "Content-Type": ["application/json"] } });
    expect(await client.messages.get((result[2] as { messageId: string }).messageId)).toMatchObject({ queueName: "batch-queue" });
    await server.advance(5_000);
    expect(receiver.deliveries.map((delivery) => delivery.path).sort()).toEqual(["/b1", "/b3", "/bg"]);
    expect(receiver.to("/b1")[0]!.headers["x-trace"]).toBe("t1");
  });

  it("§14.6 a batch with one bad item publishes nothing", async () => {
    const { client, server, receiver, at } = ctx();
    await expect(
      client.batch([
        { url: at("/ok"), body: "1" },
        { url: at("/bad"), body: "2", delay: "soon" as "1s" },
      ]),
    ).rejects.toThrow(/Upstash-Delay/);
    await server.idle();
    expect(receiver.deliveries).toEqual([]);
  });

  it("§14.7 enqueue works for a queue that doesn't exist yet and creates it", async () => {
    const { client, server, receiver, at } = ctx();
    const { messageId } = await client.queue({ queueName: "fresh" }).enqueueJSON({ url: at("/q"), body: { q: 1 } });
    expect(await client.queue({ queueName: "fresh" }).get()).toMatchObject({ name: "fresh", parallelism: 1, paused: false });
    await server.idle();
    expect(receiver.deliveries.map((delivery) => delivery.messageId)).toEqual([messageId]);
  });

  it("§14.8 parses the full §2.2 header set", async () => {
    const { client, at, clock } = ctx();
    const { messageId } = (await client.publish({
      url: at("/full"),
      body: "payload",
      method: "PATCH",
      headers: { "Content-Type": "text/csv", "X-Custom": "yes" },
      delay: "1d10h30m" as `${bigint}d`, // compound on the wire; the SDK type spells one unit
      retries: 7,
      retryDelay: "pow(2, retried) * 1000",
      timeout: 45,
      callback: at("/cb"),
      failureCallback: at("/fcb"),
      flowControl: { key: "tenant-1", parallelism: 2, rate: 5, period: "1m" },
      label: ["billing", "nightly"],
    })) as { messageId: string };
    const message = await client.messages.get(messageId);
    expect(message).toMatchObject({
      messageId,
      url: at("/full"),
      method: "PATCH",
      header: { "Content-Type": ["text/csv"], "X-Custom": ["yes"] },
      body: "payload",
      maxRetries: 7,
      retryDelayExpression: "pow(2, retried) * 1000",
      notBefore: clock.now() + (24 + 10) * 3_600_000 + 30 * 60_000,
      createdAt: clock.now(),
      callback: at("/cb"),
      failureCallback: at("/fcb"),
      callerIp: "127.0.0.1",
      flowControlKey: "tenant-1",
      parallelism: 2,
      rate: 5,
      ratePerSecond: 5,
      period: 60,
      label: "billing",
      labels: ["billing", "nightly"],
    });
  });

  it("§14.8 not-before is in seconds and wins over delay; a bare number of seconds is a delay", async () => {
    const { client, clock, api, at } = ctx();
    const notBefore = Math.floor(clock.now() / 1000) + 42;
    const { messageId } = await client.publish({ url: at("/nb"), body: "x", notBefore, delay: 999 });
    expect((await client.messages.get(messageId)).notBefore).toBe(notBefore * 1000);
    const response = await api(`/v2/publish/${at("/bare")}`, { method: "POST", body: "x", headers: { "Upstash-Delay": "30" } });
    const { messageId: bare } = (await response.json()) as { messageId: string };
    expect((await client.messages.get(bare)).notBefore).toBe(clock.now() + 30_000);
  });

  it("§14.24 malformed headers are 400 with {error}", async () => {
    const { api, at } = ctx();
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ "Upstash-Delay": "10 minutes" }, /Upstash-Delay/],
      [{ "Upstash-Retries": "-1" }, /Upstash-Retries/],
      [{ "Upstash-Not-Before": "tomorrow" }, /Upstash-Not-Before/],
      [{ "Upstash-Retry-Delay": "process.exit(1)" }, /Upstash-Retry-Delay/],
      [{ "Upstash-Retry-Delay": "pow(2" }, /Upstash-Retry-Delay/],
      [{ "Upstash-Method": "TRACE" }, /Upstash-Method/],
      [{ "Upstash-Timeout": "soon" }, /Upstash-Timeout/],
      [{ "Upstash-Callback": "not a url" }, /Upstash-Callback/],
      [{ "Upstash-Flow-Control-Key": "k", "Upstash-Flow-Control-Value": "parallelism=zero" }, /Flow-Control-Value/],
    ];
    for (const [headers, message] of cases) {
      const response = await api(`/v2/publish/${at("/x")}`, { method: "POST", body: "x", headers });
      expect(response.status, JSON.stringify(headers)).toBe(400);
      const body = (await response.json()) as { error: string };
      expect(body.error).toMatch(message);
    }
    const badDestination = await api("/v2/publish/ftp://example.com/file", { method: "POST", body: "x" });
    expect(badDestination.status).toBe(400);
    expect(await badDestination.json()).toEqual({ error: expect.stringContaining("destination") });
    const badName = await api("/v2/publish/not%20a%20group!", { method: "POST", body: "x" });
    expect(badName.status).toBe(400);
  });

  it("§14.24 the SDK surfaces errors as QstashError with the status and the server's text", async () => {
    const { client } = ctx();
    const error = await client.publish({ urlGroup: "no-such-group", body: "x" }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(QstashError);
    expect((error as QstashError).status).toBe(404);
    expect(JSON.parse((error as QstashError).message)).toEqual({ error: "topic no-such-group not found" });
  });
});
