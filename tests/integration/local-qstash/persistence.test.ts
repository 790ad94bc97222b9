import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@upstash/qstash";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { manualClock } from "@/local/clock";
import { startQStashServer, type QStashServer } from "@/local/qstash/server";
import { DEV_TOKEN, startReceiver, type TestReceiver } from "@/tests/helpers/local-qstash";

// State survives a restart: nothing published is lost when the server stops.

describe("local QStash: persistence", () => {
  let dir: string;
  let file: string;
  let receiver: TestReceiver;
  /** One clock across restarts, as one machine's time would be. */
  let clock: ReturnType<typeof manualClock>;
  const servers: QStashServer[] = [];
  const start = async () => {
    const server = await startQStashServer({ port: 0, clock, dataFile: file });
    servers.push(server);
    return { server, client: new Client({ baseUrl: server.url, token: DEV_TOKEN, enableTelemetry: false, retry: false }) };
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "local-qstash-"));
    file = join(dir, "nested", "qstash.json");
    clock = manualClock(Date.now());
    receiver = await startReceiver(clock);
  });
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.close();
    await receiver.close();
    expect(receiver.verificationErrors).toEqual([]);
    rmSync(dir, { recursive: true, force: true });
  });

  it("a body of multi-byte characters comes back byte for byte after a restart", async () => {
    const text = "héllo wörld ✓ 🎉 Сайн уу";
    const first = await start();
    await first.client.publish({ url: `${receiver.url}/bytes`, body: text, delay: 60 });
    await first.server.close();
    const second = await start();
    await second.server.advance(61_000);
    expect(receiver.deliveries.map((delivery) => delivery.bytes.equals(Buffer.from(text)))).toEqual([true]);
  });

  it("a delayed message published before a restart is delivered after it", async () => {
    const first = await start();
    const { messageId } = await first.client.publishJSON({
      url: `${receiver.url}/later`,
      body: { keep: "me" },
      delay: "2h",
      label: "durable",
    });
    await first.server.close();
    expect(JSON.parse(readFileSync(file, "utf8"))).toMatchObject({
      version: 1,
      messages: [expect.objectContaining({ messageId })],
    });

    const second = await start();
    expect(await second.client.messages.get(messageId)).toMatchObject({ messageId, labels: ["durable"] });
    await second.server.advance(2 * 3_600_000);
    expect(receiver.deliveries.map((delivery) => [delivery.messageId, delivery.body])).toEqual([[messageId, '{"keep":"me"}']]);
  });

  it("a retry that was waiting keeps its attempt count and due time", async () => {
    receiver.respond((delivery) => (delivery.retried === 0 ? { status: 500 } : { status: 200 }));
    const first = await start();
    const { messageId } = await first.client.publish({ url: `${receiver.url}/retry`, body: "x", retryDelay: "60000" });
    await first.server.idle();
    await first.server.close();
    const second = await start();
    await second.server.advance(59_999);
    expect(receiver.deliveries).toHaveLength(1);
    await second.server.advance(1);
    expect(receiver.deliveries.map((delivery) => [delivery.messageId, delivery.retried])).toEqual([
      [messageId, 0],
      [messageId, 1],
    ]);
  });

  it("DLQ, schedules, queues, URL groups, flow-control settings and dedup ids survive", async () => {
    receiver.respond(() => ({ status: 489, headers: { "upstash-nonretryable-error": "true" } }));
    const first = await start();
    const { client } = first;
    await client.publish({ url: `${receiver.url}/dead`, body: "x" });
    await first.server.idle();
    await client.schedules.create({ scheduleId: "kept", destination: `${receiver.url}/tick`, cron: "0 * * * *" });
    await client.queue({ queueName: "kept-q" }).upsert({ parallelism: 4, paused: true });
    await client.urlGroups.addEndpoints({ name: "kept-g", endpoints: [{ url: `${receiver.url}/g` }] });
    await client.flowControl.pin("kept-fc", { parallelism: 2 });
    const original = await client.publish({ url: `${receiver.url}/d`, body: "x", deduplicationId: "kept-dedup", delay: 60 });
    await first.server.close();

    const second = await start();
    const again = second.client;
    expect((await again.dlq.listMessages()).messages).toHaveLength(1);
    expect(await again.schedules.get("kept")).toMatchObject({ cron: "0 * * * *", isPaused: false });
    expect(await again.queue({ queueName: "kept-q" }).get()).toMatchObject({ parallelism: 4, paused: true });
    expect((await again.urlGroups.get("kept-g")).endpoints).toEqual([{ url: `${receiver.url}/g` }]);
    expect(await again.flowControl.get("kept-fc")).toMatchObject({ parallelismMax: 2, isPinnedParallelism: true });
    expect(await again.publish({ url: `${receiver.url}/d`, body: "x", deduplicationId: "kept-dedup" })).toEqual({
      ...original,
      deduplicated: true,
    });
    receiver.respond(() => ({ status: 200 }));
    await second.server.advance(3_600_000);
    expect(receiver.to("/tick")).toHaveLength(1);
  });

  it("an unreadable data file is set aside and the server starts empty", async () => {
    mkdirSync(join(dir, "nested"), { recursive: true });
    writeFileSync(file, "{ not json");
    const { client } = await start();
    expect((await client.dlq.listMessages()).messages).toEqual([]);
    expect(readdirSync(join(dir, "nested")).some((name) => name.startsWith("qstash.json.unreadable-"))).toBe(true);
  });
});
