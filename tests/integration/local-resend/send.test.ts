import { describe, expect, it } from "vitest";
import { email, TEST_API_KEY, useTestResend } from "@/tests/helpers/local-resend";

// Checklist items of the Resend spec that concern sending, reading and
// validation, each through the official `resend` SDK.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("local Resend: sending and reading", () => {
  const ctx = useTestResend();

  it("accepts POST /emails and answers {id}", async () => {
    const { client, server, nextEmail } = ctx();
    const captured = nextEmail();
    const result = await client().emails.send(email());
    expect(result.error).toBeNull();
    expect(result.data?.id).toMatch(UUID);
    expect((await captured).id).toBe(result.data!.id);
    expect(server.emails()).toHaveLength(1);
  });

  it("receives the snake_case wire fields the SDK produces", async () => {
    const { client, server } = ctx();
    const result = await client().emails.send(
      email({
        cc: "cc@example.com",
        bcc: ["bcc@example.com"],
        replyTo: "support@acme.dev",
        headers: { "X-Entity-Ref-ID": "job-42" },
        tags: [{ name: "job", value: "welcome" }],
        attachments: [{ filename: "a.txt", content: Buffer.from("hi"), contentType: "text/plain" }],
        scheduledAt: "2026-08-05T11:52:01.858Z",
        topicId: "topic_1",
      }),
      { idempotencyKey: "welcome-user/42" },
    );
    expect(result.error).toBeNull();
    const [captured] = server.emails();
    expect(captured).toMatchObject({
      from: "Acme <noreply@acme.dev>",
      to: ["user@example.com"],
      cc: ["cc@example.com"],
      bcc: ["bcc@example.com"],
      replyTo: ["support@acme.dev"],
      subject: "Welcome",
      html: "<p>Hi</p>",
      text: "Hi",
      headers: { "X-Entity-Ref-ID": "job-42" },
      tags: [{ name: "job", value: "welcome" }],
      attachments: [{ filename: "a.txt", contentType: "text/plain", content: "aGk=", sizeBytes: 2 }],
      scheduledAt: "2026-08-05T11:52:01.858Z",
      topicId: "topic_1",
      idempotencyKey: "welcome-user/42",
    });
  });

  it("sends a batch and returns the ids at result.data.data", async () => {
    const { client, server } = ctx();
    const result = await client().batch.send([email({ to: "a@example.com" }), email({ to: "b@example.com" })]);
    expect(result.error).toBeNull();
    const ids = result.data!.data.map((item) => item.id);
    expect(ids).toHaveLength(2);
    expect(server.emails().map((e) => e.id)).toEqual(ids);
    expect(new Set(server.emails().map((e) => e.batchId)).size).toBe(1);
  });

  it("rejects a whole strict batch for one invalid email", async () => {
    const { client, server } = ctx();
    const result = await client().batch.send([email(), email({ to: "not-an-address" })]);
    expect(result.data).toBeNull();
    expect(result.error).toMatchObject({ name: "validation_error", statusCode: 422 });
    expect(server.emails()).toHaveLength(0);
  });

  it("sends the valid emails of a permissive batch and reports the rest by index", async () => {
    const { client, server } = ctx();
    const result = await client().batch.send([email(), email({ to: "not-an-address" }), email({ subject: undefined })], {
      batchValidation: "permissive",
    });
    expect(result.error).toBeNull();
    expect(result.data!.data).toHaveLength(1);
    expect(result.data!.errors?.map((e) => e.index)).toEqual([1, 2]);
    expect(server.emails()).toHaveLength(1);
  });

  it("limits a batch to 100 emails without attachments", async () => {
    const { client } = ctx();
    const tooMany = await client().batch.send(Array.from({ length: 101 }, () => email()));
    expect(tooMany.error).toMatchObject({ name: "validation_error" });
    const withAttachment = await client().batch.send([
      { ...email(), attachments: [{ filename: "a.txt", content: "aGk=" }] } as never,
    ]);
    expect(withAttachment.error).toMatchObject({ name: "validation_error" });
    expect((await client().batch.send(Array.from({ length: 100 }, () => email()))).data?.data).toHaveLength(100);
  });

  it("returns a sent email from GET /emails/:id with object and last_event", async () => {
    const { client } = ctx();
    const sent = await client().emails.send(email({ tags: [{ name: "job", value: "welcome" }] }));
    const got = await client().emails.get(sent.data!.id);
    expect(got.error).toBeNull();
    expect(got.data).toMatchObject({
      object: "email",
      id: sent.data!.id,
      to: ["user@example.com"],
      from: "Acme <noreply@acme.dev>",
      subject: "Welcome",
      html: "<p>Hi</p>",
      text: "Hi",
      cc: null,
      bcc: null,
      reply_to: null,
      last_event: "delivered",
      scheduled_at: null,
      tags: [{ name: "job", value: "welcome" }],
    });
    expect(Date.parse(got.data!.created_at)).toBe(ctx().clock.now());
  });

  it("answers 404 not_found for an unknown id", async () => {
    const result = await ctx().client().emails.get("00000000-0000-4000-8000-000000000000");
    expect(result.error).toMatchObject({ statusCode: 404, name: "not_found" });
  });

  it("lists emails newest first with cursor pagination", async () => {
    const { client } = ctx();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await client().emails.send(email({ subject: `n${i}` }))).data!.id);
    const first = await client().emails.list({ limit: 2 });
    expect(first.data?.object).toBe("list");
    expect(first.data?.data.map((e) => e.id)).toEqual([ids[2], ids[1]]);
    expect(first.data?.has_more).toBe(true);
    const second = await client().emails.list({ limit: 2, after: ids[1]! });
    expect(second.data?.data.map((e) => e.id)).toEqual([ids[0]]);
    expect(second.data?.has_more).toBe(false);
  });

  it("schedules, reschedules and cancels an email", async () => {
    const { client, clock } = ctx();
    const sent = await client().emails.send(email({ scheduledAt: "in 1 hour" }));
    const id = sent.data!.id;
    expect((await client().emails.get(id)).data).toMatchObject({
      last_event: "scheduled",
      scheduled_at: new Date(clock.now() + 3_600_000).toISOString(),
    });
    const later = new Date(clock.now() + 7_200_000).toISOString();
    expect((await client().emails.update({ id, scheduledAt: later })).data).toEqual({ object: "email", id });
    expect((await client().emails.get(id)).data?.scheduled_at).toBe(later);
    expect((await client().emails.cancel(id)).data).toEqual({ object: "email", id });
    expect((await client().emails.get(id)).data?.last_event).toBe("canceled");
    expect((await client().emails.cancel(id)).error).toMatchObject({ name: "validation_error" });
  });

  it("delivers a scheduled email once the clock passes its time", async () => {
    const { client, clock } = ctx();
    const sent = await client().emails.send(email({ scheduledAt: "in 5 min" }));
    await clock.advance(5 * 60_000);
    expect((await client().emails.get(sent.data!.id)).data?.last_event).toBe("delivered");
  });
});

describe("local Resend: validation errors come back as values", () => {
  const ctx = useTestResend();

  const cases: Array<[string, Record<string, unknown>, string]> = [
    ["missing from", { from: undefined }, "missing_required_field"],
    ["missing to", { to: undefined }, "missing_required_field"],
    ["missing subject", { subject: undefined }, "missing_required_field"],
    ["no html, text or template", { html: undefined, text: undefined }, "missing_required_field"],
    ["malformed from", { from: "Acme noreply-at-acme" }, "invalid_from_address"],
    ["malformed to", { to: ["ok@example.com", "nope"] }, "validation_error"],
    ["51 recipients", { to: Array.from({ length: 51 }, (_, i) => `u${i}@example.com`) }, "validation_error"],
    ["a tag with spaces", { tags: [{ name: "job name", value: "x" }] }, "validation_error"],
    ["template with html", { template: { id: "tpl_1" } }, "validation_error"],
    ["unparseable scheduledAt", { scheduledAt: "someday" }, "validation_error"],
    ["attachment without content or path", { attachments: [{ filename: "a.txt" }] }, "invalid_attachment"],
  ];

  it.each(cases)("%s → %s", async (_label, overrides, name) => {
    const result = await ctx().client().emails.send(email(overrides));
    expect(result.data).toBeNull();
    expect(result.error).toMatchObject({ name, statusCode: 422 });
    expect(typeof result.error?.message).toBe("string");
    expect(ctx().server.emails()).toHaveLength(0);
  });

  it("accepts exactly 50 recipients, and a template without html, from or subject", async () => {
    const { client } = ctx();
    const fifty = await client().emails.send(email({ to: Array.from({ length: 50 }, (_, i) => `u${i}@example.com`) }));
    expect(fifty.error).toBeNull();
    const templated = await client().emails.send({
      to: "user@example.com",
      template: { id: "tpl_1", variables: { name: "Ada" } },
    } as never);
    expect(templated.error).toBeNull();
    expect(ctx().server.emails()[1]?.template).toEqual({ id: "tpl_1", variables: { name: "Ada" } });
  });

  it("answers 400 validation_error for a body that is not JSON", async () => {
    const response = await fetch(`${ctx().server.url}/emails`, {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_API_KEY}`, "content-type": "application/json" },
      body: "{not json",
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ statusCode: 400, name: "validation_error" });
  });
});

describe("local Resend: authentication", () => {
  const ctx = useTestResend();

  it("answers 401 missing_api_key without an Authorization header", async () => {
    const response = await fetch(`${ctx().server.url}/emails`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(email()),
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ statusCode: 401, name: "missing_api_key" });
  });

  it("answers 403 invalid_api_key for a key that does not start with re_", async () => {
    const result = await ctx().client("sk_live_123").emails.send(email());
    expect(result.error).toMatchObject({ statusCode: 403, name: "invalid_api_key" });
    expect(ctx().server.emails()).toHaveLength(0);
  });

  it("answers 404 not_found for an unknown endpoint and 405 for a wrong method", async () => {
    const headers = { authorization: `Bearer ${TEST_API_KEY}` };
    const unknown = await fetch(`${ctx().server.url}/domains`, { headers });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ name: "not_found" });
    const wrong = await fetch(`${ctx().server.url}/emails/batch`, { headers });
    expect(wrong.status).toBe(405);
    expect(await wrong.json()).toMatchObject({ name: "method_not_allowed" });
  });
});
