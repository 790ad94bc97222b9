import { describe, expect, it } from "vitest";
import { email, startTestResend, useTestResend } from "@/tests/helpers/local-resend";

// Each fault switch, set in-process (`server.faults`) or over HTTP (`/__faults`).
// Nothing here waits on wall-clock time: latency runs on the manual clock and
// hung requests are awaited through the server's "fault" event.

const NETWORK_ERROR = { name: "application_error", statusCode: null };

describe("local Resend: fault injection", () => {
  const ctx = useTestResend();

  const setFaults = (body: unknown) =>
    fetch(`${ctx().server.url}/__faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });

  it("failNext: n fails exactly the next n sends with a 500, then recovers", async () => {
    const { client, server } = ctx();
    expect((await setFaults({ failNext: 2 })).status).toBe(200);
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await client().emails.send(email()));
    expect(results.map((r) => r.error?.statusCode ?? 200)).toEqual([500, 500, 200]);
    expect(results[0]!.error).toMatchObject({ name: "application_error" });
    expect(server.emails()).toHaveLength(1);
    expect(await (await fetch(`${server.url}/__faults`)).json()).toEqual({ failNext: 0 });
  });

  it("status: 429 answers rate_limit_exceeded with retry-after on every send", async () => {
    const { client, server } = ctx();
    server.faults.set({ status: 429 });
    for (let i = 0; i < 2; i++) {
      const result = await client().emails.send(email());
      expect(result.error).toMatchObject({ statusCode: 429, name: "rate_limit_exceeded" });
      expect(result.headers).toMatchObject({ "retry-after": "1" });
    }
    const batch = await client().batch.send([email()]);
    expect(batch.error).toMatchObject({ statusCode: 429 });
    expect(server.emails()).toHaveLength(0);
  });

  it("leaves reads alone", async () => {
    const { client, server } = ctx();
    const sent = await client().emails.send(email());
    server.faults.set({ status: 503 });
    expect((await client().emails.get(sent.data!.id)).error).toBeNull();
    expect((await client().emails.send(email())).error).toMatchObject({ statusCode: 503, name: "application_error" });
  });

  it("errorRate fails sends whose random draw falls below it", async () => {
    const draws = [0.1, 0.9, 0.29, 0.3];
    const local = await startTestResend({ random: () => draws.shift() ?? 1 });
    try {
      local.server.faults.set({ errorRate: 0.3 });
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await local.client().emails.send(email())).error?.statusCode ?? 200);
      expect(statuses).toEqual([500, 200, 500, 200]);
    } finally {
      await local.server.close();
    }
  });

  it("latencyMs holds a send until the emulator clock moves", async () => {
    const { client, server, clock, nextFault } = ctx();
    server.faults.set({ latencyMs: 5_000 });
    const delayed = nextFault();
    const pending = client().emails.send(email());
    await delayed;
    expect(server.emails()).toHaveLength(0);
    await clock.advance(5_000);
    expect((await pending).error).toBeNull();
    expect(server.emails()).toHaveLength(1);
  });

  it("hang keeps the request open until faults are cleared, which drops the connection", async () => {
    const { client, server, nextFault } = ctx();
    expect((await setFaults({ hang: true })).status).toBe(200);
    const hung = nextFault();
    const pending = client().emails.send(email());
    expect(await hung).toEqual({ kind: "hang" });
    const cleared = await fetch(`${server.url}/__faults`, { method: "DELETE" });
    expect(await cleared.json()).toEqual({});
    const result = await pending;
    expect(result.error).toMatchObject(NETWORK_ERROR);
    expect(server.emails()).toHaveLength(0);
    expect((await client().emails.send(email())).error).toBeNull();
  });

  it("a hung send frees its idempotency key when released, so the retry goes through", async () => {
    const { client, server, nextFault } = ctx();
    server.faults.set({ hang: true, failNext: 1 });
    const hung = nextFault();
    const pending = client().emails.send(email(), { idempotencyKey: "k" });
    await hung;
    const concurrent = await client().emails.send(email(), { idempotencyKey: "k" });
    expect(concurrent.error).toMatchObject({ name: "concurrent_idempotent_requests" });
    server.faults.clear();
    expect((await pending).error).toMatchObject(NETWORK_ERROR);
    const retried = await client().emails.send(email(), { idempotencyKey: "k" });
    expect(retried.error).toBeNull();
    expect(server.emails()).toHaveLength(1);
  });

  it("closeConnection drops the connection without an answer", async () => {
    const { client, server } = ctx();
    server.faults.set({ closeConnection: true, failNext: 1 });
    const dropped = await client().emails.send(email());
    expect(dropped.error).toMatchObject(NETWORK_ERROR);
    expect(dropped.headers).toBeNull();
    expect((await client().emails.send(email())).error).toBeNull();
    expect(server.emails()).toHaveLength(1);
  });

  it("rejects an invalid fault configuration", async () => {
    for (const body of [{ errorRate: 2 }, { status: 200 }, { failNext: -1 }, { bogus: true }, [1]]) {
      const response = await setFaults(body);
      expect(response.status).toBe(400);
      expect(await response.json()).toHaveProperty("error");
    }
    expect(() => ctx().server.faults.set({ errorRate: -1 })).toThrow(/errorRate/);
  });
});
