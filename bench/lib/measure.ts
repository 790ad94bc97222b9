import { performance } from "node:perf_hooks";

/**
 * Measurement helpers. The machine is shared and noisy, so nothing here is
 * judged in absolute terms: every subject is compared with a baseline measured
 * in the same process, in alternating rounds, and only the ratio is a target.
 */

/** One sample: a duration in ms, or any other number (bytes for memory). */
export type Sampler = () => Promise<number>;

export interface Stats {
  samples: number;
  median: number;
  p95: number;
}

export interface CompareOptions {
  /** Samples per side thrown away first (JIT, connection pools, caches). */
  warmup: number;
  /** Upper bound on rounds; each round takes `perRound` samples of each side. */
  rounds: number;
  perRound: number;
  /** Wall-clock cap for the whole comparison; it stops after the round that crosses it. */
  budgetMs: number;
}

export interface Comparison {
  baseline: Stats;
  subject: Stats;
  /** median(subject) / median(baseline). */
  ratio: number;
  /** Spread of the per-round ratios: how much to trust `ratio` on this machine. */
  roundRatios: { min: number; max: number };
  rounds: number;
}

/** Wall-clock milliseconds of `fn`. */
export async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/**
 * CPU milliseconds this process spent in `fn` (user + system, all threads). For work
 * that runs wholly in this process it measures the work itself, not the wait for a
 * core, so it holds steady on a machine shared with other jobs where wall time doesn't.
 */
export async function cpuTimed(fn: () => Promise<unknown>): Promise<number> {
  const start = process.cpuUsage();
  await fn();
  const { user, system } = process.cpuUsage(start);
  return (user + system) / 1_000;
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function summarize(values: readonly number[]): Stats {
  const sorted = [...values].sort((a, b) => a - b);
  return { samples: sorted.length, median: percentile(sorted, 50), p95: percentile(sorted, 95) };
}

async function take(sampler: Sampler, count: number, deadline: number): Promise<number[]> {
  const values: number[] = [];
  // Bounded by count AND time: a stalled server must not hang the whole run.
  for (let i = 0; i < count && (i === 0 || performance.now() < deadline); i++) values.push(await sampler());
  return values;
}

/**
 * Interleaves baseline and subject rounds in an ABBA order (B,S then S,B …), so
 * a machine that slows down or speeds up during the run shifts both sides alike.
 */
export async function compare(baseline: Sampler, subject: Sampler, options: CompareOptions): Promise<Comparison> {
  const start = performance.now();
  const deadline = start + options.budgetMs;
  const warmupDeadline = start + options.budgetMs / 4;
  await take(baseline, options.warmup, warmupDeadline);
  await take(subject, options.warmup, warmupDeadline);

  const all = { baseline: [] as number[], subject: [] as number[] };
  const ratios: number[] = [];
  let rounds = 0;
  // Each side of each round gets an equal slice of the budget, so a slow side cannot starve the other.
  const sliceMs = options.budgetMs / (2 * options.rounds);
  while (rounds < options.rounds && (rounds === 0 || performance.now() < deadline)) {
    const order = rounds % 2 === 0 ? (["baseline", "subject"] as const) : (["subject", "baseline"] as const);
    const round = { baseline: [] as number[], subject: [] as number[] };
    for (const side of order) {
      const sideDeadline = performance.now() + sliceMs;
      round[side] = await take(side === "baseline" ? baseline : subject, options.perRound, sideDeadline);
      all[side].push(...round[side]);
    }
    ratios.push(summarize(round.subject).median / summarize(round.baseline).median);
    rounds++;
  }

  const stats = { baseline: summarize(all.baseline), subject: summarize(all.subject) };
  return {
    ...stats,
    ratio: stats.subject.median / stats.baseline.median,
    roundRatios: { min: Math.min(...ratios), max: Math.max(...ratios) },
    rounds,
  };
}
