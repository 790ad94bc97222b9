import { describe, expect, it } from "vitest";
import { email, TEST_API_KEY, useTestResend } from "@/tests/helpers/local-resend";

describe("local Resend: Idempotency-Key", () => {
  const ctx = useTestResend();

  it("replays the original response for the same key and payload, without a second send", async () => {
    const { client, server } = ctx();
    const first = await client().emails.send(email(), { idempotencyKey: "welcome/42" });
    const again = await client().emails.send(email(), { idempotencyKey: "welcome/42" });
    expect(first.error).toBeNull();
    expect(again.data).toEqual(first.data);
    expect(server.emails()).toHaveLength(1);
    expect(server.emails()[0]?.idempotencyKey).toBe("welcome/42");
  });

  it("fingerprints the parsed body, so key order does not matter", async () => {
    const { server } = ctx();
    const post = (body: string) =>
      fetch(`${server.url}/emails`, {
        method: "POST",
        headers: { authorization: `Bearer ${TEST_API_KEY}`, "content-type": "application/json", "idempotency-key": "k" },
        body,
      }).then((r) => r.json() as Promise<{ id: string }>);
    const a = await post('{"from":"a@acme.dev","to":"b@example.com","subject":"s","text":"t"}');
    const b = await post('{"text":"t","subject":"s","to":"b@example.com","from":"a@acme.dev"}');
    expect(b.id).toBe(a.id);
  });

  it("replays a batch with the same list of ids", async () => {
    const { client, server } = ctx();
    const batch = [email({ to: "a@example.com" }), email({ to: "b@example.com" })];
    const first = await client().batch.send(batch, { idempotencyKey: "digest/2026-08-05" });
    const again = await client().batch.send(batch, { idempotencyKey: "digest/2026-08-05" });
    expect(again.data).toEqual(first.data);
    expect(server.emails()).toHaveLength(2);
  });

  it("answers 409 invalid_idempotent_request when the payload differs", async () => {
    const { client, server } = ctx();
    await client().emails.send(email(), { idempotencyKey: "welcome/42" });
    const changed = await client().emails.send(email({ subject: "Different" }), { idempotencyKey: "welcome/42" });
    expect(changed.error).toMatchObject({ statusCode: 409, name: "invalid_idempotent_request" });
    expect(server.emails()).toHaveLength(1);
  });

  it("answers 409 concurrent_idempotent_requests while the first request is in flight", async () => {
    const { client, server, clock, nextFault } = ctx();
    server.faults.set({ latencyMs: 1_000 });
    const delayed = nextFault();
    const first = client().emails.send(email(), { idempotencyKey: "welcome/42" });
    expect(await delayed).toEqual({ kind: "latency", latencyMs: 1_000 });

    const concurrent = await client().emails.send(email(), { idempotencyKey: "welcome/42" });
    expect(concurrent.error).toMatchObject({ statusCode: 409, name: "concurrent_idempotent_requests" });

    await clock.advance(1_000);
    const done = await first;
    expect(done.error).toBeNull();
    server.faults.clear();
    const replay = await client().emails.send(email(), { idempotencyKey: "welcome/42" });
    expect(replay.data).toEqual(done.data);
    expect(server.emails()).toHaveLength(1);
  });

  it("answers 400 invalid_idempotency_key for a key outside 1-256 characters", async () => {
    const { client, server } = ctx();
    const tooLong = await client().emails.send(email(), { idempotencyKey: "k".repeat(257) });
    expect(tooLong.error).toMatchObject({ statusCode: 400, name: "invalid_idempotency_key" });
    expect((await client().emails.send(email(), { idempotencyKey: "k".repeat(256) })).error).toBeNull();
    // The SDK drops an empty key, so send that one by hand.
    const empty = await fetch(`${server.url}/emails`, {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_API_KEY}`, "content-type": "application/json", "idempotency-key": "" },
      body: JSON.stringify({ from: "a@acme.dev", to: "b@example.com", subject: "s", text: "t" }),
    });
    expect(empty.status).toBe(400);
    expect(await empty.json()).toMatchObject({ name: "invalid_idempotency_key" });
  });

  it("does not hold the key after a validation failure", async () => {
    const { client } = ctx();
    const invalid = await client().emails.send(email({ to: "nope" }), { idempotencyKey: "welcome/42" });
    expect(invalid.error).toMatchObject({ name: "validation_error" });
    const fixed = await client().emails.send(email(), { idempotencyKey: "welcome/42" });
    expect(fixed.error).toBeNull();
  });

  it("does not hold the key after an injected failure, so the retry sends once", async () => {
    const { client, server } = ctx();
    server.faults.set({ failNext: 1 });
    const failed = await client().emails.send(email(), { idempotencyKey: "welcome/42" });
    expect(failed.error).toMatchObject({ statusCode: 500 });
    const retried = await client().emails.send(email(), { idempotencyKey: "welcome/42" });
    expect(retried.error).toBeNull();
    expect(server.emails()).toHaveLength(1);
  });

  it("forgets keys after 24 hours", async () => {
    const { client, clock, server } = ctx();
    const first = await client().emails.send(email(), { idempotencyKey: "welcome/42" });
    await clock.advance(24 * 60 * 60 * 1000 - 1);
    expect((await client().emails.send(email(), { idempotencyKey: "welcome/42" })).data).toEqual(first.data);
    await clock.advance(1);
    const after = await client().emails.send(email({ subject: "Different" }), { idempotencyKey: "welcome/42" });
    expect(after.error).toBeNull();
    expect(after.data?.id).not.toBe(first.data?.id);
    expect(server.emails()).toHaveLength(2);
  });

  it("keeps keys per API key", async () => {
    const { client, server } = ctx();
    await client("re_team_a").emails.send(email(), { idempotencyKey: "shared" });
    const other = await client("re_team_b").emails.send(email({ subject: "Other" }), { idempotencyKey: "shared" });
    expect(other.error).toBeNull();
    expect(server.emails()).toHaveLength(2);
  });
});
