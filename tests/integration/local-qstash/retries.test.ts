import { describe, expect, it } from "vitest";
import { useTestQStash, type Reply } from "@/tests/helpers/local-qstash";

// §14 item 11 and 12: which answers count as success, when retries happen, and
// the 489 escape hatch. Time only moves through server.advance().

const DAY_MS = 86_400_000;
const gaps = (times: number[]) => times.slice(1).map((time, index) => time - times[index]!);

describe("local QStash: retries", () => {
  const ctx = useTestQStash();

  it("§14.11 plays out the default ladder e^(2.5n) s for retries: 3 on the injected clock, then FAILED", async () => {
    const { client, server, receiver, at, states } = ctx();
    receiver.respond(() => ({ status: 500, body: "boom" }));
    const { messageId } = await client.publish({ url: at("/flaky"), body: "x", retries: 3 });
    await server.advance(DAY_MS);
    const deliveries = receiver.to("/flaky");
    expect(deliveries.map((delivery) => delivery.retried)).toEqual([0, 1, 2, 3]);
    expect(gaps(deliveries.map((delivery) => delivery.at))).toEqual([12_182, 148_413, 1_808_042]);
    expect(states(messageId)).toEqual([
      "CREATED",
      "ACTIVE",
      "ERROR",
      "RETRY",
      "ACTIVE",
      "ERROR",
      "RETRY",
      "ACTIVE",
      "ERROR",
      "RETRY",
      "ACTIVE",
      "ERROR",
      "FAILED",
    ]);
    const { messages } = await client.dlq.listMessages();
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ messageId, responseStatus: 500, responseBody: "boom" });
  });

  it("§14.11 the default retry count is 3 and only 2xx is success (3xx and 4xx retry)", async () => {
    const { client, server, receiver, at } = ctx();
    const statuses = [302, 404, 201];
    receiver.respond(() => ({ status: statuses.shift()!, headers: { location: "/elsewhere" } }));
    const { messageId } = await client.publish({ url: at("/mixed"), body: "x" });
    expect((await client.messages.get(messageId)).maxRetries).toBe(3);
    await server.advance(DAY_MS);
    expect(receiver.to("/mixed").map((delivery) => delivery.retried)).toEqual([0, 1, 2]);
    expect((await client.dlq.listMessages()).messages).toEqual([]);
  });

  it("retryScale shrinks the default ladder but keeps its order", async () => {
    const { server } = ctx();
    await server.close();
    const { startTestQStash } = await import("@/tests/helpers/local-qstash");
    const scaled = await startTestQStash({ retryScale: 0.001 });
    try {
      scaled.receiver.respond(() => ({ status: 503 }));
      await scaled.client.publish({ url: scaled.at("/scaled"), body: "x", retries: 4 });
      await scaled.server.advance(60_000);
      expect(gaps(scaled.receiver.deliveries.map((delivery) => delivery.at))).toEqual([12, 148, 1_808, 22_026]);
    } finally {
      await scaled.server.close();
      await scaled.receiver.close();
    }
  });

  it("§14.11 honours Retry-After as seconds, an RFC 1123 date and a Go duration, before Upstash-Retry-Delay", async () => {
    const { client, server, receiver, at, clock } = ctx();
    // An HTTP date has whole seconds: aim at a second boundary 97 s out.
    const dateMs = Math.ceil(clock.now() / 1000) * 1000 + 97_000;
    const replies: Reply[] = [
      { status: 429, headers: { "retry-after": "7" } },
      { status: 429, headers: { "retry-after": new Date(dateMs).toUTCString() } },
      { status: 429, headers: { "x-ratelimit-reset": "6m5s" } },
      { status: 429, headers: { "x-ratelimit-reset-requests": "1500ms" } },
      { status: 200 },
    ];
    receiver.respond(() => replies.shift()!);
    await client.publish({ url: at("/limited"), body: "x", retries: 5, retryDelay: "999999" });
    await server.advance(DAY_MS);
    const times = receiver.to("/limited").map((delivery) => delivery.at);
    const steps = gaps(times);
    expect(steps[0]).toBe(7_000);
    expect(times[2]).toBe(dateMs);
    expect(steps.slice(2)).toEqual([365_000, 1_500]);
  });

  it("§14.11 Retry-After 0 means now, and a hint above one day falls back to the default", async () => {
    const { client, server, receiver, at } = ctx();
    const replies: Reply[] = [
      { status: 503, headers: { "retry-after": "0" } },
      { status: 503, headers: { "retry-after": "90000" } },
      { status: 200 },
    ];
    receiver.respond(() => replies.shift()!);
    await client.publish({ url: at("/hints"), body: "x" });
    await server.advance(DAY_MS);
    expect(gaps(receiver.to("/hints").map((delivery) => delivery.at))).toEqual([0, 148_413]);
  });

  it("§14.11 evaluates Upstash-Retry-Delay with retried = n - 1, in milliseconds", async () => {
    const { client, server, receiver, at } = ctx();
    receiver.respond(() => ({ status: 500 }));
    await client.publish({
      url: at("/expr"),
      body: "x",
      retries: 4,
      retryDelay: "max(1000, pow(2, retried) * 1000) + min(retried, 1) * 500",
    });
    await server.advance(DAY_MS);
    expect(gaps(receiver.to("/expr").map((delivery) => delivery.at))).toEqual([1_000, 2_500, 4_500, 8_500]);
  });

  it("§14.11 a timed-out attempt counts as a failure and is retried", async () => {
    const { client, server, receiver, at } = ctx();
    let release: (() => void) | undefined;
    receiver.respond(async (delivery) => {
      if (delivery.retried === 0) await new Promise<void>((resolve) => (release = resolve));
      return { status: 200 };
    });
    const { messageId } = await client.publish({ url: at("/slow"), body: "x", timeout: 1, retryDelay: "1000" });
    const error = ctx().nextEvent((event) => event.messageId === messageId && event.state === "ERROR");
    await server.idle();
    expect((await error).error).toMatch(/timeout/);
    release?.();
    await server.advance(1_000);
    expect(ctx().states(messageId).at(-1)).toBe("DELIVERED");
    expect(receiver.to("/slow").map((delivery) => delivery.retried)).toEqual([0, 1]);
  });

  it("a network error is retried like any failure", async () => {
    const { client, server, receiver } = ctx();
    const { messageId } = await client.publish({
      url: "http://127.0.0.1:1/unreachable",
      body: "x",
      retries: 1,
      retryDelay: "10",
    });
    await server.advance(1_000);
    expect(ctx().states(messageId)).toEqual(["CREATED", "ACTIVE", "ERROR", "RETRY", "ACTIVE", "ERROR", "FAILED"]);
    const [entry] = (await client.dlq.listMessages()).messages;
    expect(entry).toMatchObject({ messageId });
    expect(receiver.deliveries).toEqual([]);
  });

  it("§14.12 489 + Upstash-NonRetryable-Error goes straight to FAILED and the DLQ", async () => {
    const { client, server, receiver, at, states } = ctx();
    receiver.respond(() => ({ status: 489, headers: { "upstash-nonretryable-error": "true" }, body: '{"error":"bad payload"}' }));
    const { messageId } = await client.publish({ url: at("/permanent"), body: "x", retries: 5 });
    await server.advance(DAY_MS);
    expect(receiver.to("/permanent")).toHaveLength(1);
    expect(states(messageId)).toEqual(["CREATED", "ACTIVE", "ERROR", "FAILED"]);
    const [entry] = (await client.dlq.listMessages()).messages;
    expect(entry).toMatchObject({
      messageId,
      responseStatus: 489,
      responseBody: '{"error":"bad payload"}',
      responseHeader: { "Upstash-Nonretryable-Error": ["true"] },
    });
  });

  it("§14.12 489 without the header is an ordinary failure and retries", async () => {
    const { client, server, receiver, at } = ctx();
    receiver.respond(() => ({ status: 489 }));
    await client.publish({ url: at("/plain-489"), body: "x", retries: 2, retryDelay: "1" });
    await server.advance(1_000);
    expect(receiver.to("/plain-489")).toHaveLength(3);
  });
});
