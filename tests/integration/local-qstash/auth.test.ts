import { Client } from "@upstash/qstash";
import { describe, expect, it } from "vitest";
import {
  DEV_CURRENT_SIGNING_KEY,
  DEV_NEXT_SIGNING_KEY,
  DEV_TOKEN,
  startTestQStash,
  useTestQStash,
} from "@/tests/helpers/local-qstash";

// §14 items 1, 2, 23 and 24: keys, the bearer token, and reply shapes.

const V2_ROUTES: Array<[string, string]> = [
  ["GET", "/v2/keys"],
  ["POST", "/v2/publish/http://127.0.0.1:1/x"],
  ["POST", "/v2/enqueue/q/http://127.0.0.1:1/x"],
  ["POST", "/v2/batch"],
  ["GET", "/v2/messages/msg_x"],
  ["DELETE", "/v2/messages/msg_x"],
  ["DELETE", "/v2/messages"],
  ["GET", "/v2/dlq"],
  ["GET", "/v2/dlq/1-1"],
  ["DELETE", "/v2/dlq"],
  ["POST", "/v2/dlq/retry"],
  ["POST", "/v2/schedules/http://127.0.0.1:1/x"],
  ["GET", "/v2/schedules"],
  ["PATCH", "/v2/schedules/scd_x/pause"],
  ["POST", "/v2/queues"],
  ["GET", "/v2/queues"],
  ["POST", "/v2/topics/t/endpoints"],
  ["GET", "/v2/topics"],
  ["GET", "/v2/flowControl"],
  ["GET", "/v2/globalParallelism"],
  ["POST", "/v2/flowControl/k/pause"],
  ["GET", "/v2/events"],
  ["GET", "/v2/logs"],
];

describe("local QStash: auth and reply shapes", () => {
  const ctx = useTestQStash();

  it("§14.1 GET /v2/keys returns the exact dev keys by default", async () => {
    const response = await ctx().api("/v2/keys");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ current: DEV_CURRENT_SIGNING_KEY, next: DEV_NEXT_SIGNING_KEY });
  });

  it("§14.2 every /v2 route refuses a missing or wrong token with 401 {error}", async () => {
    const { server } = ctx();
    for (const [method, path] of V2_ROUTES) {
      for (const headers of [{}, { authorization: "Bearer wrong" }, { authorization: DEV_TOKEN }] as Array<
        Record<string, string>
      >) {
        const response = await fetch(`${server.url}${path}`, { method, headers });
        expect(response.status, `${method} ${path} ${JSON.stringify(headers)}`).toBe(401);
        expect(await response.json()).toEqual({ error: expect.stringMatching(/Unauthorized/) });
      }
    }
  });

  it("§14.2 the dev token works as a bearer header and as ?qstash_token=, which never reaches the destination", async () => {
    const { server, receiver, at } = ctx();
    const viaQuery = await fetch(`${server.url}/v2/publish/${at("/q?keep=1")}&qstash_token=${encodeURIComponent(DEV_TOKEN)}`, {
      method: "POST",
      body: "x",
    });
    expect(viaQuery.status).toBe(200);
    await server.idle();
    expect(receiver.deliveries.map((delivery) => delivery.path)).toEqual(["/q?keep=1"]);
  });

  it("§14.2 a custom token and custom signing keys replace the dev ones", async () => {
    const custom = await startTestQStash({
      token: "local-secret",
      currentSigningKey: "sig_current_custom",
      nextSigningKey: "sig_next_custom",
    });
    try {
      expect(await (await custom.api("/v2/keys")).json()).toEqual({ current: "sig_current_custom", next: "sig_next_custom" });
      const devClient = new Client({ baseUrl: custom.server.url, token: DEV_TOKEN, enableTelemetry: false, retry: false });
      await expect(devClient.publish({ url: custom.at("/x"), body: "x" })).rejects.toMatchObject({ status: 401 });
    } finally {
      await custom.server.close();
      await custom.receiver.close();
    }
  });

  it("§14.23 routes whose reply the SDK ignores answer 2xx; every other route answers JSON", async () => {
    const { client, api, at } = ctx();
    await client.queue({ queueName: "shape" }).upsert({ parallelism: 1 });
    await client.urlGroups.addEndpoints({ name: "shape", endpoints: [{ url: at("/a") }] });
    const { scheduleId } = await client.schedules.create({ destination: at("/s"), cron: "* * * * *" });
    const jsonRoutes = [
      "/v2/keys",
      "/v2/queues",
      "/v2/queues/shape",
      "/v2/topics",
      "/v2/topics/shape",
      "/v2/schedules",
      `/v2/schedules/${scheduleId}`,
      "/v2/dlq",
      "/v2/events",
      "/v2/logs",
      "/v2/flowControl",
      "/v2/globalParallelism",
    ];
    for (const path of jsonRoutes) {
      const response = await api(path);
      expect(response.status, path).toBe(200);
      expect(response.headers.get("content-type"), path).toContain("application/json");
      await response.json();
    }
    for (const [method, path] of [
      ["POST", "/v2/queues/shape/pause"],
      ["POST", "/v2/queues/shape/resume"],
      ["PATCH", `/v2/schedules/${scheduleId}/pause`],
      ["POST", "/v2/flowControl/k/resetRate"],
      ["DELETE", `/v2/schedules/${scheduleId}`],
      ["DELETE", "/v2/topics/shape"],
      ["DELETE", "/v2/queues/shape"],
    ] as const) {
      expect((await api(path, { method })).status, `${method} ${path}`).toBe(200);
    }
  });

  it("§14.24 unknown ids are 404 {error}; unknown routes 404; wrong methods 405", async () => {
    const { api } = ctx();
    for (const path of [
      "/v2/messages/msg_none",
      "/v2/dlq/0-0",
      "/v2/schedules/scd_none",
      "/v2/queues/none",
      "/v2/topics/none",
      "/v2/flowControl/none",
    ]) {
      const response = await api(path);
      expect(response.status, path).toBe(404);
      expect(await response.json(), path).toEqual({ error: expect.stringContaining("not found") });
    }
    expect((await api("/v2/nothing-here")).status).toBe(404);
    const wrong = await api("/v2/keys", { method: "POST" });
    expect(wrong.status).toBe(405);
    expect(await wrong.json()).toEqual({ error: expect.any(String) });
    const badJson = await api("/v2/batch", { method: "POST", body: "[oops" });
    expect(badJson.status).toBe(400);
  });
});
