import { describe, expect, it } from "vitest";
import { useTestQStash, type TestQStash } from "@/tests/helpers/local-qstash";

// §14 item 17 and §6: the dead-letter queue through the official SDK.

async function killMessages(qstash: TestQStash, count: number, extra: (n: number) => Record<string, unknown> = () => ({})) {
  const { client, server, receiver, at } = qstash;
  receiver.respond((delivery) =>
    delivery.path.startsWith("/dead")
      ? { status: 489, headers: { "upstash-nonretryable-error": "true" }, body: `no ${delivery.path}` }
      : { status: 200 },
  );
  const ids: string[] = [];
  for (let n = 0; n < count; n++)
    ids.push((await client.publish({ url: at(`/dead/${n}`), body: `body ${n}`, ...extra(n) })).messageId);
  await server.idle();
  return ids;
}

describe("local QStash: DLQ", () => {
  const ctx = useTestQStash();

  it("§14.17 lists entries with the Message fields plus dlqId and the last response", async () => {
    const [messageId] = await killMessages(ctx(), 1, () => ({ label: "nightly", headers: { "X-A": "1" } }));
    const { messages, cursor } = await ctx().client.dlq.listMessages();
    expect(cursor).toBeUndefined();
    expect(messages).toEqual([
      expect.objectContaining({
        messageId,
        dlqId: expect.any(String),
        url: ctx().at("/dead/0"),
        method: "POST",
        header: expect.objectContaining({ "X-A": ["1"] }),
        body: "body 0",
        maxRetries: 3,
        labels: ["nightly"],
        label: "nightly",
        responseStatus: 489,
        responseHeader: expect.objectContaining({ "Upstash-Nonretryable-Error": ["true"] }),
        responseBody: "no /dead/0",
      }),
    ]);
  });

  it("§6 a non-UTF-8 response body is kept as responseBodyBase64", async () => {
    const { client, server, receiver, at } = ctx();
    const bytes = Buffer.from([0xff, 0x00, 0xfe]);
    receiver.respond(() => ({
      status: 489,
      headers: { "upstash-nonretryable-error": "true" },
      body: bytes as unknown as string,
    }));
    await client.publish({ url: at("/binary-dead"), body: "x" });
    await server.idle();
    const [entry] = (await client.dlq.listMessages()).messages;
    expect(entry).toMatchObject({ responseBodyBase64: bytes.toString("base64") });
    expect(entry!.responseBody).toBeUndefined();
  });

  it("§14.17 an empty DLQ still answers {messages: []} and leaves the cursor out", async () => {
    const response = await ctx().api("/v2/dlq");
    expect(await response.json()).toEqual({ messages: [] });
  });

  it("§14.17 pages with count and cursor, leaving the cursor out on the last page", async () => {
    await killMessages(ctx(), 5);
    const { client } = ctx();
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await client.dlq.listMessages({ count: 2, cursor });
      seen.push(...page.messages.map((message) => message.url));
      cursor = page.cursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual([0, 1, 2, 3, 4].map((n) => ctx().at(`/dead/${n}`)));
  });

  it("§6 filters: url, label, responseStatus, fromDate/toDate, messageId, dlqIds", async () => {
    const { client, server, clock } = ctx();
    const before = clock.now();
    const ids = await killMessages(ctx(), 3, (n) => ({ label: n === 1 ? "special" : "plain" }));
    await server.advance(60_000);
    const late = await killMessages(ctx(), 1);
    const all = (await client.dlq.listMessages()).messages;
    expect(all).toHaveLength(4);
    const list = async (filter: Record<string, unknown>) =>
      (await client.dlq.listMessages({ filter })).messages.map((message) => message.messageId);
    expect(await list({ label: "special" })).toEqual([ids[1]]);
    expect(await list({ url: ctx().at("/dead/2") })).toEqual([ids[2]]);
    expect(await list({ responseStatus: 489 })).toHaveLength(4);
    expect(await list({ responseStatus: 500 })).toEqual([]);
    expect(await list({ messageId: ids[0] })).toEqual([ids[0]]);
    expect(await list({ fromDate: before + 30_000 })).toEqual(late);
    expect(await list({ toDate: before + 30_000 })).toEqual(ids);
    const byIds = await client.dlq.listMessages({ dlqIds: [all[0]!.dlqId, all[3]!.dlqId] });
    expect(byIds.messages.map((message) => message.messageId)).toEqual([ids[0], late[0]]);
  });

  it("§6 GET /v2/dlq/{id} returns one entry; unknown ids are 404", async () => {
    await killMessages(ctx(), 1);
    const [entry] = (await ctx().client.dlq.listMessages()).messages;
    const one = await ctx().api(`/v2/dlq/${entry!.dlqId}`);
    expect(await one.json()).toMatchObject({ dlqId: entry!.dlqId, messageId: entry!.messageId, responseStatus: 489 });
    expect((await ctx().api("/v2/dlq/nope")).status).toBe(404);
  });

  it("§14.17 deletes one, many, by filter and all (paged with a cursor)", async () => {
    const { client } = ctx();
    await killMessages(ctx(), 6, (n) => ({ label: n < 2 ? "old" : "new" }));
    const entries = (await client.dlq.listMessages()).messages;
    expect(await client.dlq.delete(entries[5]!.dlqId)).toEqual({ deleted: 1 });
    await expect(client.dlq.delete("nope")).rejects.toMatchObject({ status: 404 });
    expect(await client.dlq.delete([entries[4]!.dlqId, "nope"])).toEqual({ deleted: 1 });
    expect(await client.dlq.delete({ filter: { label: "old" } })).toEqual({ deleted: 2 });
    const first = await client.dlq.delete({ all: true, count: 1 });
    expect(first).toEqual({ deleted: 1, cursor: expect.any(String) });
    const rest = await client.dlq.delete({ all: true, count: 100, cursor: first.cursor });
    expect(rest).toEqual({ deleted: 1 });
    expect((await client.dlq.listMessages()).messages).toEqual([]);
  });

  it("§14.17 retry by dlqIds redelivers under a new id, removes the entry and applies override headers", async () => {
    const { client, server, receiver, api } = ctx();
    const [original] = await killMessages(ctx(), 2);
    const entries = (await client.dlq.listMessages()).messages;
    receiver.respond(() => ({ status: 200 }));
    const { responses } = await client.dlq.retry(entries[0]!.dlqId);
    expect(responses).toEqual([{ messageId: expect.stringMatching(/^msg_/) }]);
    expect(responses[0]!.messageId).not.toBe(original);
    await server.idle();
    const redelivered = receiver.deliveries.filter((delivery) => delivery.messageId === responses[0]!.messageId);
    expect(redelivered.map((delivery) => [delivery.path, delivery.body])).toEqual([["/dead/0", "body 0"]]);
    expect((await client.dlq.listMessages()).messages.map((message) => message.dlqId)).toEqual([entries[1]!.dlqId]);

    receiver.respond(() => ({ status: 500 }));
    const retried = await api(`/v2/dlq/retry?dlqIds=${entries[1]!.dlqId}`, {
      method: "POST",
      headers: { "Upstash-Retries": "0" },
    });
    const {
      responses: [again],
    } = (await retried.json()) as { responses: Array<{ messageId: string }> };
    await server.advance(86_400_000);
    expect(receiver.deliveries.filter((delivery) => delivery.messageId === again!.messageId)).toHaveLength(1);
    expect((await client.dlq.listMessages()).messages.map((message) => [message.messageId, message.maxRetries])).toEqual([
      [again!.messageId, 0],
    ]);
  });

  it("§6 retry by filter and all page like delete; POST /v2/dlq/retry/{id} answers 201 {messageId}", async () => {
    const { client, server, receiver, api } = ctx();
    await killMessages(ctx(), 3, (n) => ({ label: n === 0 ? "one" : "many" }));
    receiver.respond(() => ({ status: 200 }));
    expect((await client.dlq.retry({ filter: { label: "one" } })).responses).toHaveLength(1);
    const entries = (await client.dlq.listMessages()).messages;
    const single = await api(`/v2/dlq/retry/${entries[0]!.dlqId}`, { method: "POST" });
    expect(single.status).toBe(201);
    expect(await single.json()).toEqual({ messageId: expect.stringMatching(/^msg_/) });
    expect((await api("/v2/dlq/retry/nope", { method: "POST" })).status).toBe(404);
    const all = await client.dlq.retry({ all: true });
    expect(all).toEqual({ responses: [{ messageId: expect.any(String) }], cursor: undefined });
    await server.idle();
    expect((await client.dlq.listMessages()).messages).toEqual([]);
  });
});
