import { Resend } from "resend";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { LogEvent } from "@/local/qstash/server";
import { notification } from "@/lib/jobs/notification";
import { welcomeEmail } from "@/lib/jobs/welcome-email";
import { startTestApp, type TestApp } from "../../../harness/app";
import { startTestStack, type TestStack } from "../../../harness/stack";

/**
 * Launch day in fast-forward: a burst of email jobs far above Resend's default
 * 2 requests per second, against the look-alike limited to exactly that, with
 * another sender on the same Resend team taking the whole window now and then
 * (so the pace alone can't keep every send under the limit). Every email must
 * go out once, nothing may reach the DLQ, and no message may run out of retries.
 */
const RATE = 2;
const WELCOMES = 160;
const NOTIFICATIONS = 40;
const BURST = WELCOMES + NOTIFICATIONS;
/** Every this many seconds the other sender spends the window just before the pace's next pair. */
const COMPETITOR_EVERY = 10;
/** Bounds the fast-forward: far beyond the drain time, so a stuck burst fails instead of spinning. */
const MAX_SECONDS = 4 * (BURST / RATE);
/** Resend's one-second windows start on whole seconds; the stack starts half-way into one. */
const START = Date.UTC(2026, 0, 5, 9, 0, 0) + 500;

let stack: TestStack;
let app: TestApp;
const events: LogEvent[] = [];

beforeAll(async () => {
  stack = await startTestStack({ resendRateLimitPerSecond: RATE, startAt: START });
  app = await startTestApp(stack, { env: { RESEND_RATE_LIMIT_PER_SECOND: String(RATE) } });
  stack.qstash.events.on("event", (event: LogEvent) => events.push(event));
});
afterAll(async () => {
  await app?.close();
  await stack?.close();
});

test(`a burst of ${BURST} email jobs drains through a ${RATE}/s Resend: every email once, nothing in the DLQ, no retries run out`, async () => {
  const quiet = silenceJobLogs();
  try {
    // Two jobs, one pace: welcome emails and notifications share the key.
    await app.services.queue.enqueueMany(
      Array.from({ length: WELCOMES }, (_, n) => ({
        job: welcomeEmail,
        payload: { userId: `user-${n}`, email: `user-${n}@example.com`, name: `User ${n}` },
      })),
    );
    await app.services.queue.enqueueMany(
      Array.from({ length: NOTIFICATIONS }, (_, n) => ({
        job: notification,
        payload: {
          notificationId: `burst-${n}`,
          userId: `member-${n}`,
          email: `member-${n}@example.com`,
          name: `Member ${n}`,
          title: "Launch",
          body: "We are live.",
        },
      })),
    );
    await stack.qstash.idle();

    const competitor = new Resend(stack.env.RESEND_API_KEY, { baseUrl: stack.env.RESEND_BASE_URL });
    let competitorSends = 0;
    for (let second = 1; second <= MAX_SECONDS && jobEmails().length < BURST; second++) {
      // To x.100: inside the window of the pace's next pair (due at x.500), before it starts.
      await stack.qstash.advance(600);
      if (second % COMPETITOR_EVERY === 0) {
        for (let n = 0; n < RATE; n++) {
          const sent = await competitor.emails.send({
            from: "Other <other@example.com>",
            to: "someone@example.com",
            subject: "other",
            text: "other",
          });
          if (sent.data) competitorSends++;
        }
      }
      await stack.qstash.advance(400);
    }
    await stack.qstash.advance(60_000); // any failure callbacks and stragglers
    expect(competitorSends).toBeGreaterThan(0);
  } finally {
    quiet.restore();
  }

  // Every email went out exactly once.
  const sent = jobEmails();
  expect(sent).toHaveLength(BURST);
  expect(new Set(sent.map((email) => email.to.join(","))).size).toBe(BURST);

  // Nothing failed for good.
  expect((await app.qstash.dlq.listMessages()).messages).toEqual([]);
  expect(events.filter((event) => event.state === "FAILED")).toEqual([]);

  // The other sender really did take windows, so some sends were refused, and each refusal was
  // answered with at least Resend's Retry-After.
  const rateLimited = events.filter((event) => event.state === "RETRY" && event.responseStatus === 429);
  expect(rateLimited.length).toBeGreaterThan(0);
  for (const event of rateLimited) {
    expect(
      Number(event.responseHeaders?.["retry-after"]?.[0] ?? event.responseHeaders?.["Retry-After"]?.[0]),
    ).toBeGreaterThanOrEqual(1);
  }

  // No message used more attempts than 1 + its retries, and none came close to running out.
  const attempts = new Map<string, { attempts: number; maxRetries: number }>();
  for (const event of events.filter((entry) => entry.state === "ACTIVE" && entry.url.includes("/api/jobs/"))) {
    const seen = attempts.get(event.messageId) ?? { attempts: 0, maxRetries: event.maxRetries };
    attempts.set(event.messageId, { ...seen, attempts: seen.attempts + 1 });
  }
  expect(attempts.size).toBe(BURST);
  for (const { attempts: count, maxRetries } of attempts.values()) expect(count).toBeLessThanOrEqual(maxRetries);

  // The drain took about N / rate seconds plus the windows the other sender took.
  const ideal = (BURST / RATE) * 1_000;
  const drain = Math.max(...sent.map((email) => Date.parse(email.createdAt))) - START;
  expect(drain).toBeLessThanOrEqual(1.2 * ideal);
  expect(drain).toBeGreaterThanOrEqual(ideal - 1_000);
}, 120_000);

function jobEmails() {
  return stack.resend.emails().filter((email) => !email.to.includes("someone@example.com"));
}

/** Each delivery logs a line; 200+ of them would bury a failure's output. */
function silenceJobLogs() {
  const original = { log: console.log, info: console.info, error: console.error, warn: console.warn };
  console.log = console.info = console.warn = console.error = () => {};
  return {
    restore() {
      Object.assign(console, original);
    },
  };
}
