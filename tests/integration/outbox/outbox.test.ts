import { Client } from "@upstash/qstash";
import { Redis } from "@upstash/redis";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createOutbox,
  OUTBOX_ADD_LUA,
  outboxEntry,
  stageOutboxEntries,
  withOutboxEntry,
  type Outbox,
  type OutboxEntry,
  type PublishedEntry,
  ATTR,
} from "@/lib/job-runtime";
import { startTestStack, type TestStack } from "@/harness/stack";
import { installTestTracing } from "@/tests/helpers/tracing";

// The outbox against the local stack: a real Redis REST server and the local
// QStash, with their outage switches standing in for a bad day.

describe("outbox", () => {
  let stack: TestStack;
  let redis: Redis;
  let qstash: Client;
  let outbox: Outbox;
  let published: PublishedEntry[];
  const reports: string[] = [];

  beforeEach(async () => {
    stack = await startTestStack();
    redis = new Redis({
      url: stack.env.UPSTASH_REDIS_REST_URL!,
      token: stack.env.UPSTASH_REDIS_REST_TOKEN!,
      retry: false,
      enableTelemetry: false,
    });
    qstash = new Client({ baseUrl: stack.qstash.url, token: stack.env.QSTASH_TOKEN!, retry: false, enableTelemetry: false });
    published = [];
    reports.length = 0;
    outbox = createOutbox({
      redis,
      publish: (request) => qstash.publishJSON(request),
      now: () => stack.clock.now(),
      onPublished: (entry) => {
        published.push(entry);
      },
      report: (_level, event) => reports.push(event),
    });
  });
  afterEach(() => stack.close());

  const entry = (n: number): OutboxEntry =>
    outboxEntry(
      "welcome-email",
      { url: `http://127.0.0.1:9/api/jobs/welcome-email`, body: { n }, retries: 0, delay: 3600 },
      stack.clock.now(),
    );
  const messages = async () =>
    ((await (await fetch(`${stack.qstash.url}/__stack/state`)).json()) as { messages: Array<{ body?: string }> }).messages;
  const write = (entries: OutboxEntry[]) => stageOutboxEntries(redis.multi().set("domain:thing", "created"), entries).exec();

  it("publishes each entry under a producer span whose traceparent travels with the message", async () => {
    const tracing = installTestTracing();
    try {
      const sent: Array<{ headers?: unknown }> = [];
      const traced = createOutbox({
        redis,
        publish: (request) => {
          sent.push({ headers: { ...(request.headers as Record<string, string>) } });
          return qstash.publishJSON(request);
        },
        now: () => stack.clock.now(),
      });
      const e = entry(7);
      await write([e]);
      const {
        published: [result],
      } = await traced.flush([e]);
      const span = tracing.byName("outbox welcome-email");
      const { traceId, spanId } = span.spanContext();
      expect(sent[0]!.headers).toEqual({ traceparent: `00-${traceId}-${spanId}-01` });
      expect(span.attributes).toMatchObject({
        [ATTR.operationName]: "outbox",
        [ATTR.messageId]: result!.messageId,
        [ATTR.destination]: "welcome-email",
      });
    } finally {
      await tracing.uninstall();
    }
  });

  it("writes the entry with the domain change, publishes it with its id as deduplication id, then removes it", async () => {
    const e = entry(1);
    await write([e]);
    expect(await outbox.depth()).toMatchObject({ pending: 1, stale: 0 });
    const result = await outbox.flush([e]);
    expect(result.pending).toEqual([]);
    expect(published).toEqual([expect.objectContaining({ entryId: e.id, jobName: "welcome-email", deduplicated: false })]);
    expect(await outbox.depth()).toEqual({ pending: 0, oldestAgeMs: null, stale: 0, maxAgeMs: 15 * 60_000 });
    const [message] = await messages();
    expect(message).toBeDefined();
    // The id reached QStash as its deduplication id: a second publish under it is dropped.
    const again = await qstash.publishJSON({ ...e.request, deduplicationId: e.id });
    expect(again).toMatchObject({ deduplicated: true, messageId: published[0]!.messageId });
  });

  it("QStash unreachable: the write still succeeds, the entry waits, and a sweep after the outage publishes it once", async () => {
    stack.qstash.faults.set({ publishOutage: { mode: "refuse" } });
    const entries = [entry(1), entry(2)];
    await write(entries);
    expect(await redis.get("domain:thing")).toBe("created");
    expect((await outbox.flush(entries)).pending).toEqual(entries.map((e) => e.id));
    expect(reports).toEqual(["outbox_publish_failed", "outbox_publish_failed"]);
    // A sweep inside the grace period leaves young entries to their producer.
    expect((await outbox.sweep()).published).toEqual([]);
    await stack.clock.advance(5_000);
    expect((await outbox.sweep()).pending).toHaveLength(2);
    stack.qstash.faults.clear();
    const swept = await outbox.sweep();
    expect(swept.published.map((p) => p.entryId).sort()).toEqual(entries.map((e) => e.id).sort());
    expect(await outbox.depth()).toMatchObject({ pending: 0 });
    expect(await messages()).toHaveLength(2);
    expect(stack.qstash.faults.state().injected.publishRefused).toBeGreaterThanOrEqual(4);
  });

  it("published but not removed (Redis down right after): the next sweep's publish is deduplicated, one message in QStash", async () => {
    const e = entry(1);
    await write([e]);
    // Redis fails exactly when the entry is to be removed: QStash already has the message.
    const publish = qstash.publishJSON.bind(qstash);
    const flaky = createOutbox({
      redis,
      now: () => stack.clock.now(),
      report: (_level, event) => reports.push(event),
      publish: async (request) => {
        const result = await publish(request);
        stack.redis.faults.set({ outage: { mode: "error" } });
        return result;
      },
    });
    expect((await flaky.flush([e])).pending).toEqual([]);
    expect(reports).toEqual(["outbox_remove_failed"]);
    stack.redis.faults.clear();
    expect(await outbox.depth()).toMatchObject({ pending: 1 });
    await stack.clock.advance(5_000);
    const swept = await outbox.sweep();
    expect(swept.published).toEqual([expect.objectContaining({ entryId: e.id, deduplicated: true })]);
    expect(await outbox.depth()).toMatchObject({ pending: 0 });
    expect(await messages()).toHaveLength(1);
  });

  it("a conditional Lua write adds the entry only when the domain change happens", async () => {
    const script = `${OUTBOX_ADD_LUA}
if redis.call('SET', KEYS[1], ARGV[1], 'NX') == false then return 0 end
outbox_add()
return 1`;
    const first = entry(1);
    const second = entry(2);
    const run = (e: OutboxEntry) => {
      const { keys, args } = withOutboxEntry(["claim:a@example.com"], ["usr_1"], e);
      return redis.eval(script, keys, args);
    };
    expect(await run(first)).toBe(1);
    expect(await run(second)).toBe(0);
    expect(await outbox.depth()).toMatchObject({ pending: 1 });
    await stack.clock.advance(5_000);
    expect((await outbox.sweep()).published.map((p) => p.entryId)).toEqual([first.id]);
  });

  it("parallel sweeps: one holds the lock and publishes; the others step aside", async () => {
    const entries = Array.from({ length: 20 }, (_, n) => entry(n));
    await write(entries);
    await stack.clock.advance(5_000);
    const sweeps = await Promise.all(Array.from({ length: 5 }, () => outbox.sweep()));
    expect(sweeps.filter((sweep) => sweep.ran)).toHaveLength(1);
    expect(sweeps.flatMap((sweep) => sweep.published)).toHaveLength(20);
    expect(await messages()).toHaveLength(20);
  });

  it("entries past the max age count as stale and are still published, oldest first", async () => {
    const old = entry(1);
    await write([old]);
    await stack.clock.advance(16 * 60_000);
    const young = entry(2);
    await write([young]);
    expect(await outbox.depth()).toMatchObject({ pending: 2, stale: 1, oldestAgeMs: 16 * 60_000 });
    await stack.clock.advance(5_000);
    const swept = await outbox.sweep({ limit: 1 });
    expect(swept.published.map((p) => p.entryId)).toEqual([old.id]);
    expect(reports).toContain("outbox_entry_stale");
  });
});
