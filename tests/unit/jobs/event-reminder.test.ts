import { http, HttpResponse } from "msw";
import { afterEach, describe, expect, expectTypeOf, test } from "vitest";
import { cancelEvent, createEvent, moveEvent } from "@/lib/flows/reminders";
import { getEvent } from "@/lib/events/store";
import type { JobInput } from "@/lib/job-runtime";
import { eventReminder } from "@/lib/jobs/event-reminder";
import { jobs } from "@/lib/jobs/registry";
import { createUser } from "@/lib/users/store";
import { deliver, fakeServices } from "../../helpers/fake-services";
import { testEnv } from "../../helpers/env";
import { setupMemoryRedis } from "../../helpers/msw";
import { qstashHandlers } from "../../msw/qstash";

const env = testEnv();
// Reminders are published through the outbox with the services' QStash client: msw answers it.
const qstash = qstashHandlers(env.QSTASH_URL);
afterEach(() => qstash.reset());
setupMemoryRedis(
  env.UPSTASH_REDIS_REST_URL,
  ...qstash.handlers,
  http.delete(`${env.QSTASH_URL}/v2/messages/:id`, () => HttpResponse.json({ cancelled: 1 })),
);

// The registered job: its handler loads on first use, as in the route.
const registry = { "event-reminder": jobs["event-reminder"] };
const NOW = Date.UTC(2026, 0, 15, 9, 0);
const HOUR = 60 * 60 * 1000;

async function setup() {
  const ctx = fakeServices({ env, nowMs: NOW });
  const created = await createUser(
    ctx.services.redis,
    { email: "ada@example.com", name: "Ada", password: "correct horse", locale: "en", timeZone: "Asia/Ulaanbaatar" },
    NOW,
  );
  if (!created.ok) throw new Error("no user");
  const event = await createEvent(ctx.services, { userId: created.user.id, title: "Board meeting", startsAt: NOW + 3 * HOUR });
  if (!event.ok) throw new Error(event.message);
  return { ...ctx, user: created.user, event: event.event };
}

/** Delivers the reminder the n-th publish carried, at its due time. */
async function fire(ctx: Awaited<ReturnType<typeof setup>>, index: number, messageId = `msg_${index + 1}`) {
  const published = qstash.jobs()[index]!;
  const notBefore = published.headers["upstash-not-before"];
  if (notBefore) ctx.clock.set(Number(notBefore) * 1000);
  return deliver(ctx.services, eventReminder, published.payload, { messageId, registry });
}

describe("event-reminder", () => {
  test("at start − 1 h it emails the owner, in their time zone, and marks the event reminded", async () => {
    const ctx = await setup();
    const answer = await fire(ctx, 0);
    expect(answer.status).toBe(200);
    expect(answer.body.result).toEqual({ emailId: "email_1" });
    expect(ctx.email.sent[0]).toMatchObject({
      to: "ada@example.com",
      subject: "Reminder: Board meeting starts in 1 hour",
      idempotencyKey: `event-reminder/${ctx.event.id}/v1`,
    });
    expect(ctx.email.sent[0]!.text).toMatch(/15 January 2026.*20:00 \(Asia\/Ulaanbaatar\)/);
    expect(await getEvent(ctx.services.redis, ctx.event.id)).toMatchObject({ remindedAt: ctx.clock.now() });
  });

  test("a cancelled event finishes as skipped, without email", async () => {
    const ctx = await setup();
    await cancelEvent(ctx.services, { userId: ctx.user.id, eventId: ctx.event.id });
    const answer = await fire(ctx, 0);
    expect(answer.status).toBe(200);
    expect(answer.body.result).toEqual({ skipped: "cancelled" });
    expect(ctx.email.attempts).toBe(0);
  });

  test("after a move the old reminder skips and the new one sends", async () => {
    const ctx = await setup();
    await moveEvent(ctx.services, { userId: ctx.user.id, eventId: ctx.event.id, startsAt: NOW + 6 * HOUR });
    expect((await fire(ctx, 0)).body.result).toEqual({ skipped: "moved" });
    expect(ctx.email.attempts).toBe(0);
    const answer = await fire(ctx, 1);
    expect(answer.body.result).toEqual({ emailId: "email_1" });
    expect(ctx.email.sent[0]!.idempotencyKey).toBe(`event-reminder/${ctx.event.id}/v2`);
  });

  test("a missing event, or a reminder arriving after the start, sends nothing", async () => {
    const ctx = await setup();
    expect(
      (await deliver(ctx.services, eventReminder, { eventId: "cal_gone", version: 1, startsAt: NOW + HOUR }, { registry })).body
        .result,
    ).toEqual({ skipped: "missing" });
    ctx.clock.set(NOW + 3 * HOUR);
    expect((await deliver(ctx.services, eventReminder, qstash.jobs()[0]!.payload, { registry })).body.result).toEqual({
      skipped: "started",
    });
    expect(ctx.email.attempts).toBe(0);
  });

  test("a Resend failure retries (503) and the retry sends once", async () => {
    const ctx = await setup();
    ctx.email.failNext({ name: "rate_limit_exceeded", statusCode: 429, message: "slow" });
    expect((await fire(ctx, 0)).status).toBe(429);
    const retry = await deliver(ctx.services, eventReminder, qstash.jobs()[0]!.payload, {
      messageId: "msg_1",
      retried: 1,
      registry,
    });
    expect(retry.status).toBe(200);
    expect(ctx.email.sent).toHaveLength(1);
  });

  test("idempotency key is per event version; payload is validated", async () => {
    expect(eventReminder.idempotencyKey!({ eventId: "cal_1", version: 3, startsAt: 1 })).toBe("cal_1/v3");
    const ctx = fakeServices({ env });
    expect((await deliver(ctx.services, eventReminder, { eventId: "cal_1", version: 0, startsAt: 1 }, { registry })).status).toBe(
      489,
    );
    expect((await deliver(ctx.services, eventReminder, { eventId: "cal 1", version: 1, startsAt: 1 }, { registry })).status).toBe(
      489,
    );
  });

  test("producers can't publish a wrong payload (types)", () => {
    const { services } = fakeServices({ env });
    expectTypeOf<JobInput<typeof eventReminder>>().toEqualTypeOf<{ eventId: string; version: number; startsAt: number }>();
    // @ts-expect-error version is required
    void (() => services.queue.enqueue(eventReminder, { eventId: "cal_1", startsAt: 1 }));
  });
});
