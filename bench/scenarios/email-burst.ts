import { performance } from "node:perf_hooks";
import type { LogEvent } from "@/local/qstash/server";
import { welcomeEmail } from "@/lib/jobs/welcome-email";
import { withQuietLogs } from "../lib/fixtures";
import { formatRatio, type Scenario, type ScenarioResult } from "../lib/report";

/** Resend's default team limit, and the pace the app is configured with. */
const RATE = 2;
/** Sign-ups in the burst; the ideal drain is SIGNUPS / RATE seconds. */
const SIGNUPS = 60;
/** Producers publishing at once: the burst must reach at least 10× RATE. */
const PUBLISHERS = 10;
/** Give up on a burst after this long (ideal × 3 plus slack): a stuck drain fails the target, it doesn't hang the run. */
const DRAIN_TIMEOUT_MS = ((SIGNUPS / RATE) * 3 + 30) * 1_000;
/** The app's pace when "unpaced": far above what the Resend look-alike allows. */
const UNPACED_RATE = 1_000;

const TITLE = "Email burst against Resend's rate limit";
const DESCRIPTION = [
  `${SIGNUPS} sign-ups' \`welcome-email\` jobs published at once (${PUBLISHERS} producers in flight) through the app's own producer`,
  "(`services.queue.enqueue`, what signup calls after creating the account; the account itself is left out because its",
  "password hash would make the burst slower than the pace) to the in-process test app on the local stack, real time, with",
  `the Resend look-alike limited to ${RATE} requests per second (Resend's default). **Paced**: the app's shared email pace at`,
  `\`RESEND_RATE_LIMIT_PER_SECOND=${RATE}\`. **Unpaced** (same run, same burst): the pace set to ${UNPACED_RATE}/s, i.e. what happens when`,
  "nothing paces the jobs. Drain time = from the first publish to the last email Resend accepted; the ideal is",
  `N / rate = ${SIGNUPS / RATE} s. 429s = deliveries the job route answered 429 (Resend refused the send).`,
].join("\n");

interface BurstOutcome {
  delivered: number;
  dlq: number;
  rateLimited: number;
  publishMs: number;
  drainMs: number;
  timedOut: boolean;
}

async function pool(count: number, concurrency: number, work: (index: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await work(next++);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

async function burst(pace: number): Promise<BurstOutcome> {
  const [{ startTestStack }, { startTestApp }] = await Promise.all([import("@/harness/stack"), import("@/harness/app")]);
  const stack = await startTestStack({ manual: false, resendRateLimitPerSecond: RATE });
  const app = await startTestApp(stack, { env: { RESEND_RATE_LIMIT_PER_SECOND: String(pace) } }).catch(async (error: unknown) => {
    await stack.close();
    throw error;
  });
  let rateLimited = 0;
  let finished = 0;
  let onFinished = () => {};
  const allFinished = new Promise<void>((resolve) => (onFinished = resolve));
  stack.qstash.events.on("event", (event: LogEvent) => {
    if (!event.url.includes(`/${welcomeEmail.name}`)) return;
    if (event.responseStatus === 429 && (event.state === "RETRY" || event.state === "FAILED")) rateLimited++;
    if (event.state === "DELIVERED" || event.state === "FAILED") {
      if (++finished === SIGNUPS) onFinished();
    }
  });
  try {
    const wallStart = Date.now();
    const started = performance.now();
    await pool(SIGNUPS, PUBLISHERS, (n) =>
      app.services.queue.enqueue(welcomeEmail, { userId: `burst-user-${n}`, email: `burst-${n}@example.com`, name: `User ${n}` }),
    );
    const publishMs = performance.now() - started;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      allFinished.then(() => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), DRAIN_TIMEOUT_MS))),
    ]).finally(() => clearTimeout(timer));
    const emails = stack.resend.emails();
    const lastAccepted = Math.max(wallStart, ...emails.map((email) => Date.parse(email.createdAt)));
    const dlq = (await app.qstash.dlq.listMessages({ count: 100 })).messages.length;
    return { delivered: emails.length, dlq, rateLimited, publishMs, drainMs: lastAccepted - wallStart, timedOut };
  } finally {
    await app.close();
    await stack.close();
  }
}

export const emailBurstScenario: Scenario = {
  id: "email-burst",
  title: TITLE,
  async run(): Promise<ScenarioResult> {
    const idealMs = (SIGNUPS / RATE) * 1_000;
    // Every refused send logs an error line; the table counts them instead.
    const savedError = console.error;
    console.error = () => {};
    let paced: BurstOutcome;
    let unpaced: BurstOutcome;
    try {
      paced = await withQuietLogs(() => burst(RATE));
      unpaced = await withQuietLogs(() => burst(UNPACED_RATE));
    } finally {
      console.error = savedError;
    }
    const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    const row = (label: string, outcome: BurstOutcome) => [
      label,
      `${outcome.delivered} / ${SIGNUPS}`,
      String(outcome.dlq),
      String(outcome.rateLimited),
      `${(SIGNUPS / (outcome.publishMs / 1000)).toFixed(0)}/s`,
      outcome.timedOut ? `> ${seconds(DRAIN_TIMEOUT_MS)} (gave up)` : seconds(outcome.drainMs),
      outcome.timedOut ? "n/a" : `**${formatRatio(outcome.drainMs / idealMs)}**`,
    ];
    const burstRate = SIGNUPS / (paced.publishMs / 1000);
    return {
      title: TITLE,
      description: DESCRIPTION,
      table: [
        ["Run", "Emails delivered", "DLQ entries", "429s seen", "Burst rate", "Drain time", "Drain / ideal"],
        row(`Paced at ${RATE}/s (the app's setting)`, paced),
        row(`Unpaced (pace ${UNPACED_RATE}/s)`, unpaced),
        ["Ideal: N / rate", `${SIGNUPS}`, "0", "0", "", seconds(idealMs), "1.00×"],
      ],
      targets: [
        {
          label: `burst published at ≥ 10× the Resend rate (${burstRate.toFixed(0)}/s vs ${RATE}/s)`,
          pass: burstRate >= 10 * RATE,
        },
        { label: `every email delivered (${paced.delivered}/${SIGNUPS})`, pass: paced.delivered === SIGNUPS && !paced.timedOut },
        { label: `0 DLQ entries (${paced.dlq})`, pass: paced.dlq === 0 },
        {
          label: `drain time ≤ 1.2× ideal (${formatRatio(paced.drainMs / idealMs)})`,
          pass: !paced.timedOut && paced.drainMs <= 1.2 * idealMs,
        },
      ],
      notes: [
        "The unpaced row is the comparison, not a target: it shows what the same burst does when nothing paces it.",
        "Real time on a shared machine: one Node.js process runs the app, the local QStash, Redis and Resend look-alikes.",
      ],
    };
  },
};
