import { describe, expect, it } from "vitest";
import { useTestQStash, type TestQStash } from "@/tests/helpers/local-qstash";

// §6, §7, §11: every list, cancel and delete endpoint refuses a query field or
// filter value it does not understand. Dropping it would widen the filter, and
// on DELETE an empty filter means "everything".

async function deadLetters(qstash: TestQStash, labels: string[]): Promise<void> {
  const { client, server, receiver, at } = qstash;
  receiver.respond(() => ({ status: 489, headers: { "upstash-nonretryable-error": "true" } }));
  for (const [n, label] of labels.entries()) await client.publish({ url: at(`/dead/${n}`), body: "x", label });
  await server.idle();
}

async function pending(qstash: TestQStash, labels: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const [n, label] of labels.entries())
    ids.push((await qstash.client.publish({ url: qstash.at(`/later/${n}`), body: "x", delay: 60, label })).messageId);
  return ids;
}

/** An SDK filter with a field its types don't have: what a typo in plain JavaScript sends. */
const typo = (filter: Record<string, unknown>) => filter as never;

describe("local QStash: filters refuse what they don't understand", () => {
  const ctx = useTestQStash();

  it("a typo in a DLQ delete filter is a 400 naming the field, and the DLQ keeps every entry", async () => {
    await deadLetters(ctx(), ["a", "b", "c"]);
    const { client } = ctx();
    await expect(client.dlq.delete({ filter: typo({ labeel: "a" }) })).rejects.toMatchObject({
      status: 400,
      message: expect.stringMatching(/unknown query field .*labeel/),
    });
    expect((await client.dlq.listMessages()).messages).toHaveLength(3);
    expect(await client.dlq.delete({ filter: { label: "a" } })).toEqual({ deleted: 1 });
    expect((await client.dlq.listMessages()).messages).toHaveLength(2);
  });

  it("a typo in a DLQ list or retry filter is a 400 instead of an unfiltered answer", async () => {
    await deadLetters(ctx(), ["a", "b"]);
    const { client, receiver } = ctx();
    await expect(client.dlq.listMessages({ filter: typo({ labeel: "a" }) })).rejects.toMatchObject({ status: 400 });
    await expect(client.dlq.retry({ filter: typo({ labeel: "a" }) })).rejects.toMatchObject({ status: 400 });
    expect((await client.dlq.listMessages()).messages).toHaveLength(2);
    expect(receiver.deliveries).toHaveLength(2);
  });

  it("the DLQ refuses host and path, which only cancel and logs support", async () => {
    await deadLetters(ctx(), ["a"]);
    for (const query of ["host=127.0.0.1", "path=/dead/0"]) {
      const response = await ctx().api(`/v2/dlq?${query}`, { method: "DELETE" });
      expect(response.status).toBe(400);
      expect((await response.json()).error).toContain(`"${query.split("=")[0]}"`);
    }
    expect((await ctx().client.dlq.listMessages()).messages).toHaveLength(1);
  });

  it("a typo in a bulk cancel filter is a 400 and cancels nothing", async () => {
    const ids = await pending(ctx(), ["a", "b"]);
    const { client, api } = ctx();
    await expect(client.messages.cancel({ filter: typo({ labeel: "a" }) })).rejects.toMatchObject({
      status: 400,
      message: expect.stringMatching(/unknown query field .*labeel/),
    });
    for (const id of ids) expect((await api(`/v2/messages/${id}`)).status).toBe(200);
    expect(await client.messages.cancel({ filter: { label: "a" } })).toEqual({ cancelled: 1 });
    expect((await api(`/v2/messages/${ids[1]}`)).status).toBe(200);
  });

  it("a typo in a logs filter is a 400 on both /v2/events and /v2/logs", async () => {
    await pending(ctx(), ["a"]);
    await expect(ctx().client.logs({ filter: typo({ stat: "CREATED" }) })).rejects.toMatchObject({ status: 400 });
    const response = await ctx().api("/v2/logs?stat=CREATED");
    expect(response.status).toBe(400);
    expect((await response.json()).error).toContain('"stat"');
  });

  it("malformed or empty filter values are a 400 naming the field", async () => {
    await deadLetters(ctx(), ["a"]);
    const { api } = ctx();
    const cases: Array<[string, string, string]> = [
      ["DELETE", "/v2/dlq?label=", "label"],
      ["DELETE", "/v2/dlq?label=a,", "label"],
      ["DELETE", "/v2/dlq?responseStatus=abc", "responseStatus"],
      ["DELETE", "/v2/dlq?fromDate=", "fromDate"],
      ["DELETE", "/v2/messages?url=", "url"],
      ["GET", "/v2/events?state=DONE", "state"],
      ["GET", "/v2/events?count=0", "count"],
    ];
    for (const [method, path, field] of cases) {
      const response = await api(path, { method });
      expect(response.status, `${method} ${path}`).toBe(400);
      expect((await response.json()).error, `${method} ${path}`).toContain(field);
    }
    expect((await ctx().client.dlq.listMessages()).messages).toHaveLength(1);
  });

  it("known fields, the urlGroup alias, the SDK's own paging fields and qstash_token are still accepted", async () => {
    await deadLetters(ctx(), ["a"]);
    const { api, client } = ctx();
    for (const path of [
      "/v2/dlq?count=10&label=a&urlGroup=g&fromDate=0",
      "/v2/events?count=10&state=IN_PROGRESS&state=CANCELED&host=127.0.0.1&messageIds=x",
      `/v2/dlq?label=a&qstash_token=${encodeURIComponent("ignored-when-a-bearer-is-sent")}`,
    ]) {
      expect((await api(path)).status, path).toBe(200);
    }
    expect(
      (await client.dlq.listMessages({ count: 5, filter: { label: ["a", "b"], responseStatus: 489 } })).messages,
    ).toHaveLength(1);
  });

  it("bulk cancel ignores count, as the SDK documents: {all: true, count: 1} cancels every pending message", async () => {
    await pending(ctx(), ["a", "b"]);
    expect(await ctx().client.messages.cancel({ all: true, count: 1 })).toEqual({ cancelled: 2 });
  });

  it("DLQ delete and retry honour count and page with a cursor", async () => {
    await deadLetters(ctx(), ["a", "a", "a"]);
    const { client } = ctx();
    const first = await client.dlq.delete({ filter: { label: "a" }, count: 1 });
    expect(first).toEqual({ deleted: 1, cursor: expect.any(String) });
    const retried = await client.dlq.retry({ all: true, count: 1 });
    expect(retried.responses).toHaveLength(1);
    expect((await client.dlq.listMessages()).messages).toHaveLength(1);
  });
});
