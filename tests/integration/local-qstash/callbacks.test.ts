import { Client } from "@upstash/qstash";
import { describe, expect, it } from "vitest";
import { DEV_TOKEN, useTestQStash } from "@/tests/helpers/local-qstash";

// §14 item 13 (and 12's failure callback): callback bodies as the hosted service sends them.

const DAY_MS = 86_400_000;
const b64 = (text: string) => Buffer.from(text).toString("base64");

describe("local QStash: callbacks", () => {
  const ctx = useTestQStash();

  it("§14.13 posts the §5 body to the callback after a successful attempt, as a signed message of its own", async () => {
    const { client, server, receiver, at } = ctx();
    receiver.respond((delivery) =>
      delivery.path === "/work" ? { status: 200, headers: { "x-result": "done" }, body: "all good" } : { status: 200 },
    );
    const { messageId } = await client.publish({
      url: at("/work"),
      body: "job body",
      headers: { "Content-Type": "text/plain", "X-Job": "7" },
      callback: at("/callback"),
    });
    const source = await client.messages.get(messageId);
    await server.idle();
    const [callback] = receiver.to("/callback");
    expect(callback).toBeDefined();
    expect(callback!.messageId).not.toBe(messageId);
    expect(callback!.claims.sub).toBe(at("/callback"));
    expect(callback!.headers["content-type"]).toBe("application/json");
    const body = JSON.parse(callback!.body) as Record<string, unknown>;
    expect(body).toEqual({
      status: 200,
      header: expect.objectContaining({ "X-Result": ["done"] }),
      body: b64("all good"),
      retried: 0,
      maxRetries: 3,
      sourceMessageId: messageId,
      url: at("/work"),
      method: "POST",
      sourceHeader: { "Content-Type": ["text/plain"], "X-Job": ["7"] },
      sourceBody: b64("job body"),
      notBefore: String(source.notBefore),
      createdAt: String(source.createdAt),
      callerIP: "127.0.0.1",
    });
  });

  it("§14.13 fires the callback after every attempt, and the failure callback once with dlqId", async () => {
    const { client, server, receiver, at } = ctx();
    receiver.respond((delivery) => (delivery.path === "/always-fails" ? { status: 500, body: "nope" } : { status: 200 }));
    const { messageId } = await client.publish({
      url: at("/always-fails"),
      body: "x",
      retries: 2,
      retryDelay: "1000",
      callback: at("/cb"),
      failureCallback: at("/failure"),
    });
    await server.advance(DAY_MS);
    expect(receiver.to("/cb").map((delivery) => (JSON.parse(delivery.body) as { retried: number }).retried)).toEqual([0, 1, 2]);
    const failures = receiver.to("/failure");
    expect(failures).toHaveLength(1);
    const body = JSON.parse(failures[0]!.body) as Record<string, unknown>;
    const [dead] = (await client.dlq.listMessages()).messages;
    expect(body).toMatchObject({
      status: 500,
      body: b64("nope"),
      retried: 2,
      maxRetries: 2,
      sourceMessageId: messageId,
      dlqId: dead!.dlqId,
    });
    expect(typeof body.createdAt).toBe("string");
  });

  it("§14.12 a 489 non-retryable answer sends the failure callback at once", async () => {
    const { client, server, receiver, at } = ctx();
    receiver.respond((delivery) =>
      delivery.path === "/bad"
        ? { status: 489, headers: { "Upstash-NonRetryable-Error": "true" }, body: "invalid" }
        : { status: 200 },
    );
    const { messageId } = await client.publishJSON({
      url: at("/bad"),
      body: { id: 1 },
      retries: 3,
      failureCallback: at("/failure"),
    });
    await server.idle();
    const [failure] = receiver.to("/failure");
    const body = JSON.parse(failure!.body) as Record<string, unknown>;
    expect(body).toMatchObject({
      status: 489,
      retried: 0,
      maxRetries: 3,
      sourceMessageId: messageId,
      sourceBody: b64('{"id":1}'),
      body: b64("invalid"),
    });
    expect(body.dlqId).toEqual((await client.dlq.listMessages()).messages[0]!.dlqId);
    expect(failure!.claims.sub).toBe(at("/failure"));
  });

  it("callback messages are retried like any message, and honour Upstash-Callback-* overrides", async () => {
    const { api, server, receiver, at } = ctx();
    let callbackCalls = 0;
    receiver.respond((delivery) => (delivery.path === "/cb" && ++callbackCalls === 1 ? { status: 500 } : { status: 200 }));
    const response = await api(`/v2/publish/${at("/ok")}`, {
      method: "POST",
      body: "x",
      headers: {
        "Upstash-Callback": at("/cb"),
        "Upstash-Callback-Retries": "1",
        "Upstash-Callback-Retry-Delay": "5000",
        "Upstash-Callback-Method": "PUT",
        "Upstash-Callback-Forward-X-Secret": "s3",
      },
    });
    expect(response.status).toBe(200);
    await server.advance(5_000);
    const calls = receiver.to("/cb");
    expect(calls.map((call) => [call.method, call.retried, call.headers["x-secret"]])).toEqual([
      ["PUT", 0, "s3"],
      ["PUT", 1, "s3"],
    ]);
    expect(calls[1]!.at - calls[0]!.at).toBe(5_000);
  });

  it("forwards Upstash-Forward-* to the destination and Upstash-Failure-Callback-Forward-* to the failure callback only", async () => {
    const { server, receiver, at } = ctx();
    // The SDK's client-wide headers: a plain name becomes Upstash-Forward-<name>, Upstash-* names pass as given.
    const client = new Client({
      baseUrl: server.url,
      token: DEV_TOKEN,
      enableTelemetry: false,
      retry: false,
      headers: {
        "X-Vercel-Protection-Bypass": "bypass-1",
        "Upstash-Failure-Callback-Forward-X-Vercel-Protection-Bypass": "bypass-2",
      },
    });
    receiver.respond((delivery) =>
      delivery.path === "/job" ? { status: 489, headers: { "Upstash-NonRetryable-Error": "true" } } : { status: 200 },
    );
    await client.publishJSON({
      url: at("/job"),
      body: { n: 1 },
      headers: { traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" },
      failureCallback: at("/failure"),
    });
    await client.batchJSON([{ url: at("/job"), body: { n: 2 }, failureCallback: at("/failure") }]);
    await server.idle();

    const jobs = receiver.to("/job");
    expect(jobs.map((delivery) => delivery.headers["x-vercel-protection-bypass"])).toEqual(["bypass-1", "bypass-1"]);
    expect(jobs[0]!.headers.traceparent).toBe("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    for (const delivery of jobs) expect(Object.keys(delivery.headers).filter((name) => name.includes("callback"))).toEqual([]);
    const failures = receiver.to("/failure");
    expect(failures).toHaveLength(2);
    // QStash sends the failure callback its own forwarded headers, not the destination's.
    expect(failures.map((delivery) => delivery.headers["x-vercel-protection-bypass"])).toEqual(["bypass-2", "bypass-2"]);
    expect(failures.map((delivery) => delivery.headers.traceparent)).toEqual([undefined, undefined]);
  });

  it("a schedule's messages carry its forwarded headers to the destination and the failure callback", async () => {
    const { client, server, receiver, at, api } = ctx();
    receiver.respond((delivery) => (delivery.path === "/tick" ? { status: 500 } : { status: 200 }));
    const response = await api(`/v2/schedules/${at("/tick")}`, {
      method: "POST",
      body: "{}",
      headers: {
        "Content-Type": "application/json",
        "Upstash-Cron": "* * * * *",
        "Upstash-Retries": "0",
        "Upstash-Failure-Callback": at("/failure"),
        "Upstash-Forward-X-Vercel-Protection-Bypass": "s1",
        "Upstash-Failure-Callback-Forward-X-Vercel-Protection-Bypass": "s1",
      },
    });
    expect(response.status).toBe(200);
    await server.advance(60_000);
    await server.idle();
    expect(receiver.to("/tick").map((delivery) => delivery.headers["x-vercel-protection-bypass"])).toEqual(["s1"]);
    expect(receiver.to("/failure").map((delivery) => delivery.headers["x-vercel-protection-bypass"])).toEqual(["s1"]);
    expect((await client.schedules.list())[0]!.header).toMatchObject({ "X-Vercel-Protection-Bypass": ["s1"] });
  });
});
