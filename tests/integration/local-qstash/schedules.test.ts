import { describe, expect, it } from "vitest";
import { useTestQStash } from "@/tests/helpers/local-qstash";

// §14 item 19 and §10 schedules. The manual clock starts at a fixed instant so cron times are exact.

const START = Date.UTC(2026, 0, 5, 11, 58, 30); // Monday 2026-01-05 11:58:30 UTC
const MINUTE = 60_000;

describe("local QStash: schedules", () => {
  const ctx = useTestQStash({ clockStartMs: START });

  it("§14.19 create returns {scheduleId}; each firing is a normal signed message with Upstash-Schedule-Id", async () => {
    const { client, server, receiver, at } = ctx();
    const { scheduleId } = await client.schedules.create({
      destination: at("/cron?src=sched"),
      cron: "* * * * *",
      body: '{"tick":true}',
    });
    expect(scheduleId).toMatch(/^scd_/);
    await server.advance(MINUTE * 3);
    const fired = receiver.to("/cron");
    expect(fired.map((delivery) => delivery.at)).toEqual([START + 30_000, START + 90_000, START + 150_000]);
    for (const delivery of fired) {
      expect(delivery.headers["upstash-schedule-id"]).toBe(scheduleId);
      expect(delivery.headers["content-type"]).toBe("application/json");
      expect(delivery.body).toBe('{"tick":true}');
      expect(delivery.path).toBe("/cron?src=sched");
    }
    expect(new Set(fired.map((delivery) => delivery.messageId)).size).toBe(3);
  });

  it("§14.19 get and list return the §10 fields, including nextScheduleTime", async () => {
    const { client, server, at } = ctx();
    const { scheduleId } = await client.schedules.create({
      destination: at("/report"),
      cron: "0 12 * * *",
      body: "r",
      headers: { "X-Report": "daily" },
      method: "PUT",
      retries: 2,
      delay: 30,
      callback: at("/cb"),
      failureCallback: at("/fcb"),
      retryDelay: "1000",
      label: "reports",
      flowControl: { key: "reports", parallelism: 1 },
    });
    const schedule = await client.schedules.get(scheduleId);
    expect(schedule).toMatchObject({
      scheduleId,
      cron: "0 12 * * *",
      createdAt: START,
      destination: at("/report"),
      method: "PUT",
      header: { "X-Report": ["daily"], "Content-Type": ["application/json"] },
      body: "r",
      retries: 2,
      delay: 30,
      callback: at("/cb"),
      failureCallback: at("/fcb"),
      callerIp: "127.0.0.1",
      isPaused: false,
      flowControlKey: "reports",
      parallelism: 1,
      retryDelayExpression: "1000",
      label: "reports",
      labels: ["reports"],
      nextScheduleTime: Date.UTC(2026, 0, 5, 12, 0),
    });
    await server.advance(2 * MINUTE);
    const fired = await client.schedules.get(scheduleId);
    expect(fired.lastScheduleTime).toBe(Date.UTC(2026, 0, 5, 12, 0));
    expect(fired.nextScheduleTime).toBe(Date.UTC(2026, 0, 6, 12, 0));
    expect(Object.values(fired.lastScheduleStates ?? {})).toEqual(["SUCCESS"]);
    expect((await client.schedules.list()).map((item) => item.scheduleId)).toEqual([scheduleId]);
  });

  it("§14.19 Upstash-Schedule-Id updates in place", async () => {
    const { client, server, receiver, at } = ctx();
    await client.schedules.create({ scheduleId: "nightly", destination: at("/v1"), cron: "0 3 * * *" });
    const { scheduleId } = await client.schedules.create({ scheduleId: "nightly", destination: at("/v2"), cron: "*/5 * * * *" });
    expect(scheduleId).toBe("nightly");
    const all = await client.schedules.list();
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ scheduleId: "nightly", destination: at("/v2"), cron: "*/5 * * * *", createdAt: START });
    await server.advance(2 * MINUTE);
    expect(receiver.deliveries.map((delivery) => delivery.path)).toEqual(["/v2"]);
  });

  it("§14.19 honours CRON_TZ: 9:00 in New York fires at 14:00 UTC in winter", async () => {
    const { client, server, receiver, at } = ctx();
    const { scheduleId } = await client.schedules.create({ destination: at("/ny"), cron: "CRON_TZ=America/New_York 0 9 * * *" });
    expect((await client.schedules.get(scheduleId)).nextScheduleTime).toBe(Date.UTC(2026, 0, 5, 14, 0));
    await server.advance(Date.UTC(2026, 0, 5, 14, 0) - START - 1);
    expect(receiver.deliveries).toEqual([]);
    await server.advance(1);
    expect(receiver.deliveries.map((delivery) => delivery.at)).toEqual([Date.UTC(2026, 0, 5, 14, 0)]);
  });

  it("§14.19 pause (PATCH from the SDK) stops firings; resume (PATCH or POST) restarts from now", async () => {
    const { client, server, receiver, at, api } = ctx();
    const { scheduleId } = await client.schedules.create({ destination: at("/p"), cron: "* * * * *" });
    await client.schedules.pause({ schedule: scheduleId });
    expect((await client.schedules.get(scheduleId)).isPaused).toBe(true);
    await server.advance(10 * MINUTE);
    expect(receiver.deliveries).toEqual([]);
    await client.schedules.resume({ schedule: scheduleId });
    await server.advance(MINUTE);
    expect(receiver.deliveries).toHaveLength(1);
    expect((await api(`/v2/schedules/${scheduleId}/pause`, { method: "POST" })).status).toBe(200);
    await server.advance(5 * MINUTE);
    expect(receiver.deliveries).toHaveLength(1);
    expect((await api(`/v2/schedules/${scheduleId}/resume`, { method: "POST" })).status).toBe(200);
    expect((await client.schedules.get(scheduleId)).isPaused).toBe(false);
  });

  it("§10 delete stops it; unknown ids are 404; bad cron is 400", async () => {
    const { client, server, receiver, at, api } = ctx();
    const { scheduleId } = await client.schedules.create({ destination: at("/d"), cron: "* * * * *" });
    await client.schedules.delete(scheduleId);
    await server.advance(5 * MINUTE);
    expect(receiver.deliveries).toEqual([]);
    expect((await api(`/v2/schedules/${scheduleId}`)).status).toBe(404);
    await expect(client.schedules.delete(scheduleId)).rejects.toMatchObject({ status: 404 });
    for (const cron of ["* * * *", "0 0 * * * *", "61 * * * *", "CRON_TZ=Mars/Base 0 9 * * *", "@daily"]) {
      await expect(client.schedules.create({ destination: at("/d"), cron }), cron).rejects.toMatchObject({ status: 400 });
    }
  });

  it("§10 schedules can target a URL group and a queue", async () => {
    const { client, server, receiver, at } = ctx();
    await client.urlGroups.addEndpoints({ name: "sched-group", endpoints: [{ url: at("/g1") }, { url: at("/g2") }] });
    await client.schedules.create({ destination: "sched-group", cron: "* * * * *" });
    await client.schedules.create({ destination: at("/queued"), cron: "* * * * *", queueName: "sched-queue" });
    await server.advance(MINUTE);
    expect(receiver.deliveries.map((delivery) => delivery.path).sort()).toEqual(["/g1", "/g2", "/queued"]);
    expect(receiver.to("/g1")[0]!.headers["upstash-topic-name"]).toBe("sched-group");
    const { logs } = await client.logs({ filter: { queueName: "sched-queue" } });
    expect(logs.map((log) => log.state)).toContain("DELIVERED");
  });
});
