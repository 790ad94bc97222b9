/**
 * How big a chaos run is and which faults it injects. Faults start at a
 * milestone of the run's own progress (so an outage falls where traffic is, on
 * a fast machine or a loaded one) and end once they have failed enough
 * requests, or at a time cap. Every loop in the run is bounded by these counts
 * and by `timeLimitMs`.
 */

/**
 * A point in the run: once QStash accepted `published` messages, the app answered
 * `answered` delivery attempts, or Resend took `emails`. Answers rather than
 * attempts started: an attempt waiting on a cold or starved app is not traffic yet.
 */
export type Milestone = { published: number } | { answered: number } | { emails: number };

/**
 * A fault switched on at `at` and off once it failed `failures` requests of its
 * kind. After `maxMs` it ends at its next failure (it never closes having
 * failed none, which would prove nothing), and after five times that, whatever
 * it did.
 */
export interface FaultWindow {
  at: Milestone;
  failures: number;
  maxMs: number;
}

export interface ChaosProfile {
  name: string;
  /** Sign-ups through the app's own form (no JavaScript), each owed one welcome email. */
  signups: number;
  /** Signed payment webhooks, each owed one purchase confirmation. */
  webhooks: number;
  /** Jobs published in batches with `enqueueMany`. */
  bulkJobs: number;
  /** Share of bulk jobs whose payload fails for good (they must end in the DLQ). */
  failingShare: number;
  /** The load is spread over this long. */
  loadMs: number;
  /** The app's email pace (`RESEND_RATE_LIMIT_PER_SECOND`): the Resend account this run pretends to have. */
  emailsPerSecond: number;
  /** Share of delivery attempts QStash sends twice. */
  duplicateRate: number;
  /** Share of Resend sends answered 500 or 429 (alternately) outside its outage and slow window. */
  resendErrorRate: number;
  /** Every send answered 503. */
  resendOutage: FaultWindow;
  /** Resend answers this slowly, past the handlers' time limit (`handlerLimitSeconds`); `failures` counts slow sends. */
  slowResend: FaultWindow & { latencyMs: number };
  /**
   * The app's `JOB_MAX_DURATION_SECONDS`; a run's budget is two seconds less. Not lower: on a
   * starved machine rendering an email alone can take a second.
   */
  handlerLimitSeconds: number;
  redisOutages: Array<FaultWindow & { mode: "error" | "refuse" }>;
  /** `next start` SIGKILLed as a delivery attempt starts, then started again. */
  appKills: Milestone[];
  qstashRestarts: Milestone[];
  publishOutage: FaultWindow & { mode: "error" | "refuse" };
  /** After the load, faults still waiting for their milestone get this long to happen. */
  settleMs: number;
  /** The whole run, app start and drain included, gives up after this. */
  timeLimitMs: number;
  /** Producers stop re-sending this long before the time limit, leaving it to the drain. */
  drainReserveMs: number;
  /** Seeds the stack's random faults, so a run repeats the same draws. */
  seed: number;
}

/** `npm run chaos`: 2,000 jobs over a minute and a half with every fault, more than once where it matters. */
export const FULL_PROFILE: ChaosProfile = {
  name: "full",
  signups: 150,
  webhooks: 250,
  bulkJobs: 1_600,
  failingShare: 0.05,
  loadMs: 90_000,
  emailsPerSecond: 10,
  duplicateRate: 0.1,
  resendErrorRate: 0.1,
  resendOutage: { at: { emails: 60 }, failures: 40, maxMs: 10_000 },
  slowResend: { at: { emails: 250 }, failures: 8, maxMs: 6_000, latencyMs: 6_000 },
  handlerLimitSeconds: 5,
  redisOutages: [
    { at: { answered: 200 }, failures: 200, maxMs: 3_000, mode: "error" },
    { at: { answered: 1_300 }, failures: 200, maxMs: 4_000, mode: "refuse" },
  ],
  appKills: [{ answered: 500 }, { answered: 1_500 }, { answered: 2_100 }],
  qstashRestarts: [{ answered: 900 }, { answered: 1_800 }],
  publishOutage: { at: { published: 1_100 }, failures: 20, maxMs: 8_000, mode: "refuse" },
  settleMs: 60_000,
  timeLimitMs: 12 * 60_000,
  drainReserveMs: 3 * 60_000,
  seed: 20_261_128,
};

/** The CI variant: a few hundred jobs, every fault kind at least once, well under two minutes. */
export const CI_PROFILE: ChaosProfile = {
  name: "ci",
  signups: 12,
  webhooks: 12,
  bulkJobs: 276,
  failingShare: 0.05,
  loadMs: 15_000,
  emailsPerSecond: 10,
  duplicateRate: 0.1,
  resendErrorRate: 0.15,
  resendOutage: { at: { emails: 4 }, failures: 4, maxMs: 5_000 },
  slowResend: { at: { emails: 14 }, failures: 2, maxMs: 5_000, latencyMs: 6_000 },
  handlerLimitSeconds: 5,
  redisOutages: [
    { at: { answered: 20 }, failures: 20, maxMs: 3_000, mode: "error" },
    { at: { answered: 200 }, failures: 20, maxMs: 3_000, mode: "refuse" },
  ],
  appKills: [{ answered: 70 }],
  qstashRestarts: [{ answered: 130 }],
  publishOutage: { at: { published: 120 }, failures: 3, maxMs: 3_000, mode: "refuse" },
  settleMs: 20_000,
  timeLimitMs: 100_000,
  drainReserveMs: 15_000,
  seed: 7,
};
