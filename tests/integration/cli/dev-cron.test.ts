import { expect, test } from "vitest";
import { handleOutboxSweepCron } from "@/lib/cron/outbox-sweep";
import { signUp } from "@/lib/flows/sign-up";
import { OUTBOX_SWEEP_GRACE_MS } from "@/lib/job-runtime";
import { durableQueue } from "@/lib/jobs/outbox";
import { DEV_CRON_INTERVAL_MS, startDevCron } from "@/scripts/lib/dev-server";
import type { TestApp } from "@/harness/app";
import { setupStackAndApp } from "../../helpers/stack-and-app";

// `npm run dev` plays Vercel Cron: every minute it calls the outbox-sweep route
// with the checkout's CRON_SECRET, so what a QStash outage left in the outbox
// goes out locally too. The minute is an injected timer the test fires itself.

const CRON_SECRET = "dev-cron-secret-0123456789abcdef";
const CRON_PATH = "/api/cron/outbox-sweep";

const running = setupStackAndApp({
  app: {
    env: { CRON_SECRET },
    routes: {
      [CRON_PATH]: (request: Request, app: TestApp) =>
        handleOutboxSweepCron(request, {
          cronSecret: app.env.CRON_SECRET,
          outbox: durableQueue(app.services),
          clock: app.services.clock,
        }),
    },
  },
  stackClock: true,
  reset: ["qstash", "redis", "resend"],
});

/** A timer that only fires when the test says so. */
function manualInterval() {
  const timer = { callback: undefined as (() => void) | undefined, ms: 0, cleared: false };
  const timers = {
    setInterval: ((callback: () => void, ms: number) => {
      Object.assign(timer, { callback, ms });
      return { unref() {} };
    }) as unknown as typeof setInterval,
    clearInterval: (() => {
      timer.cleared = true;
    }) as typeof clearInterval,
  };
  return { timer, timers };
}

/** Log lines, and a promise for the next one. */
function lines() {
  const seen: string[] = [];
  let wake: ((line: string) => void) | undefined;
  return {
    seen,
    log: (line: string) => {
      seen.push(line);
      wake?.(line);
    },
    next: () => new Promise<string>((resolve) => (wake = resolve)),
  };
}

async function signUpDuringOutage(email: string) {
  running.stack.qstash.faults.set({ publishOutage: { mode: "refuse" } });
  const result = await signUp(running.app.services, { name: "Ada", email, password: "lovelace-1815" });
  running.stack.qstash.faults.clear();
  expect(result).toMatchObject({ ok: true, outcome: "created", welcomeMessageId: null, verifyMessageId: null });
  expect(await durableQueue(running.app.services).depth()).toMatchObject({ pending: 2 });
  await running.stack.clock.advance(OUTBOX_SWEEP_GRACE_MS);
}

test("every minute the dev cron calls the route with CRON_SECRET; the outage's two emails go out once", async () => {
  await signUpDuringOutage("ada@example.com");
  const { timer, timers } = manualInterval();
  const output = lines();
  const cron = startDevCron({ url: `${running.app.url}${CRON_PATH}`, secret: CRON_SECRET, timers, log: output.log });
  expect(timer.ms).toBe(DEV_CRON_INTERVAL_MS);

  const logged = output.next();
  timer.callback!();
  expect(await logged).toBe("cron outbox sweep published 2");
  expect(await durableQueue(running.app.services).depth()).toMatchObject({ pending: 0 });
  // The next minute finds nothing left and says nothing.
  expect(await cron.tick()).toEqual({ status: 200, body: { ran: true, published: 0, pending: 0, rounds: 1 } });

  await running.stack.qstash.advance(10_000); // the paced emails
  const emails = running.stack.resend.emails().filter((email) => email.to.includes("ada@example.com"));
  expect(emails.map((email) => email.subject.startsWith("Welcome")).sort()).toEqual([false, true]);
  cron.stop();
  expect(timer.cleared).toBe(true);
  expect(output.seen).toEqual(["cron outbox sweep published 2"]);
});

test("with another secret the route turns the dev cron away: it says so and nothing is published", async () => {
  await signUpDuringOutage("bea@example.com");
  const { timers } = manualInterval();
  const output = lines();
  const cron = startDevCron({
    url: `${running.app.url}${CRON_PATH}`,
    secret: "not-the-apps-secret-0000",
    timers,
    log: output.log,
  });
  expect(await cron.tick()).toMatchObject({ status: 401 });
  expect(output.seen).toEqual([expect.stringMatching(/answered 401/)]);
  expect(await durableQueue(running.app.services).depth()).toMatchObject({ pending: 2 });
  cron.stop();
});

test("while the dev server is not answering yet, a tick is quiet and the next one tries again", async () => {
  const { timers } = manualInterval();
  const output = lines();
  // Port 9 on loopback: nothing listens there.
  const cron = startDevCron({ url: `http://127.0.0.1:9${CRON_PATH}`, secret: CRON_SECRET, timers, log: output.log });
  expect(await cron.tick()).toBeNull();
  expect(output.seen).toEqual([]);
  cron.stop();
});
