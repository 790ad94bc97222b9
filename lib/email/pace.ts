import type { Pace, PaceLimits } from "../job-runtime";

/** Resend's default limit for a team: 2 API requests per second. */
export const RESEND_DEFAULT_RATE_PER_SECOND = 2;

/**
 * `rate` requests a second, and as many in flight: a send normally finishes well inside
 * a second, so more in flight would not send faster, and when Resend is slow fewer
 * functions sit waiting on it. A job that must send several emails sends them as one
 * batch request, which Resend counts once.
 */
export function emailPaceLimits(ratePerSecond: number): PaceLimits {
  return { rate: ratePerSecond, parallelism: ratePerSecond, period: 1 };
}

/**
 * The pace of every job that calls Resend: one QStash flow-control key for the whole
 * app, because Resend limits requests per second for the whole team, whichever job
 * (or key) makes them. `RESEND_RATE_LIMIT_PER_SECOND` sets its limits (lib/services.ts);
 * these defaults are Resend's own.
 */
export const EMAIL_PACE: Pace = Object.freeze({ key: "resend", ...emailPaceLimits(RESEND_DEFAULT_RATE_PER_SECOND) });

/**
 * The app's paces as configured (`RESEND_RATE_LIMIT_PER_SECOND`): what every publish
 * path passes to `buildRequest`, so a job sent straight away and one sent from the
 * outbox share one flow-control key with the same limits.
 */
/**
 * `RESEND_RATE_LIMIT_PER_SECOND` as the CLIs read it from their environment, with lib/env.ts's
 * rule (a whole number ≥ 1, default Resend's own): `npm run schedules:sync` and the doctor pace
 * scheduled email jobs with the same limits the app publishes them with.
 */
export function resendRateFrom(value: string | undefined): number {
  if (value === undefined || value.trim() === "") return RESEND_DEFAULT_RATE_PER_SECOND;
  const rate = Number(value.trim());
  if (!Number.isInteger(rate) || rate < 1)
    throw new Error(`RESEND_RATE_LIMIT_PER_SECOND must be a whole number of requests per second, at least 1 (got "${value}")`);
  return rate;
}

export function configuredPaces(resendRatePerSecond: number): Readonly<Record<string, PaceLimits>> {
  return { [EMAIL_PACE.key]: emailPaceLimits(resendRatePerSecond) };
}
