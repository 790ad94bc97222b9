/**
 * How big a chaos run is and which faults it injects when. Times are offsets
 * from the start of the load, ms; every loop in the run is bounded by these
 * counts and by `timeLimitMs`.
 */
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
  /** Share of delivery attempts QStash sends twice. */
  duplicateRate: number;
  /** Share of Resend sends answered 500 or 429 outside its outage. */
  resendErrorRate: number;
  resendOutage: { atMs: number; durationMs: number };
  /** Resend answers this slowly for the window, past the handlers' time limit (`handlerLimitSeconds`). */
  slowResend: { atMs: number; durationMs: number; latencyMs: number };
  handlerLimitSeconds: number;
  redisOutages: Array<{ atMs: number; durationMs: number; mode: "error" | "refuse" }>;
  appKillsAtMs: number[];
  qstashRestartsAtMs: number[];
  publishOutage: { atMs: number; durationMs: number; mode: "error" | "refuse" };
  /** The whole run, drain included, gives up after this. */
  timeLimitMs: number;
}

/** `npm run chaos`: 2,000 jobs over a minute and a half with every fault, more than once where it matters. */
export const FULL_PROFILE: ChaosProfile = {
  name: "full",
  signups: 150,
  webhooks: 250,
  bulkJobs: 1_600,
  failingShare: 0.05,
  loadMs: 90_000,
  duplicateRate: 0.1,
  resendErrorRate: 0.1,
  resendOutage: { atMs: 20_000, durationMs: 10_000 },
  slowResend: { atMs: 70_000, durationMs: 6_000, latencyMs: 4_000 },
  handlerLimitSeconds: 3,
  redisOutages: [
    { atMs: 12_000, durationMs: 3_000, mode: "error" },
    { atMs: 48_000, durationMs: 4_000, mode: "refuse" },
  ],
  appKillsAtMs: [25_000, 58_000, 80_000],
  qstashRestartsAtMs: [38_000, 75_000],
  publishOutage: { atMs: 62_000, durationMs: 8_000, mode: "refuse" },
  timeLimitMs: 5 * 60_000,
};

/** The CI variant: a few hundred jobs, every fault kind once, well under two minutes. */
export const CI_PROFILE: ChaosProfile = {
  name: "ci",
  signups: 12,
  webhooks: 12,
  bulkJobs: 276,
  failingShare: 0.05,
  loadMs: 15_000,
  duplicateRate: 0.15,
  resendErrorRate: 0.1,
  resendOutage: { atMs: 5_000, durationMs: 3_000 },
  slowResend: { atMs: 12_000, durationMs: 4_000, latencyMs: 4_000 },
  handlerLimitSeconds: 3,
  redisOutages: [
    { atMs: 3_000, durationMs: 3_000, mode: "error" },
    { atMs: 13_000, durationMs: 3_000, mode: "refuse" },
  ],
  appKillsAtMs: [7_000],
  qstashRestartsAtMs: [9_000],
  publishOutage: { atMs: 11_000, durationMs: 3_000, mode: "refuse" },
  timeLimitMs: 100_000,
};
