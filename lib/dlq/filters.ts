import * as z from "zod/mini";

/**
 * The operator's view of a DLQ filter, shared by the admin API (query string)
 * and the CLI (flags). Times are Unix epoch ms, inclusive, as QStash takes them.
 */
export interface DlqFilter {
  /** Job name: QStash filters on the label (our publisher always labels a message with its job). */
  job?: string;
  /** The destination's last HTTP status, e.g. 489 for non-retryable failures. */
  status?: number;
  fromDate?: number;
  toDate?: number;
}

const JOB_NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** A date-time with no zone, as a `datetime-local` field or a hurried operator writes it. */
const ZONELESS_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?$/;

/**
 * ISO 8601 date-time or epoch milliseconds. A date-time without a zone is UTC,
 * like every time the admin page and the CLI print: JavaScript would read it in
 * the server's own zone, so the same filter would mean different hours on
 * different machines.
 */
const instant = z.pipe(
  z.string().check(z.trim(), z.minLength(1)),
  z.transform((value: string, ctx) => {
    const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(ZONELESS_DATE_TIME.test(value) ? `${value}Z` : value);
    if (!Number.isFinite(ms)) {
      ctx.issues.push({ code: "custom", message: `"${value}" is not an ISO date or epoch milliseconds`, input: value });
      return z.NEVER;
    }
    return ms;
  }),
);

export const dlqFilterInputSchema = z.pipe(
  z
    .strictObject({
      job: z.optional(z.string().check(z.trim(), z.regex(JOB_NAME, "must be a job name (lower-case kebab-case)"))),
      status: z.optional(z.pipe(z.coerce.number(), z.int()).check(z.gte(100), z.lte(599))),
      from: z.optional(instant),
      to: z.optional(instant),
    })
    .check(
      z.refine((input) => input.from === undefined || input.to === undefined || input.from <= input.to, {
        message: "from must not be after to",
        path: ["from"],
      }),
    ),
  z.transform(
    ({ job, status, from, to }): DlqFilter => ({
      ...(job !== undefined && { job }),
      ...(status !== undefined && { status }),
      ...(from !== undefined && { fromDate: from }),
      ...(to !== undefined && { toDate: to }),
    }),
  ),
);

export function isEmptyFilter(filter: DlqFilter): boolean {
  return filter.job === undefined && filter.status === undefined && filter.fromDate === undefined && filter.toDate === undefined;
}

/** The filter in the official client's shape; undefined when there is nothing to filter on. */
export function toClientFilter(filter: DlqFilter) {
  if (isEmptyFilter(filter)) return undefined;
  return {
    ...(filter.job !== undefined && { label: filter.job }),
    ...(filter.status !== undefined && { responseStatus: filter.status }),
    ...(filter.fromDate !== undefined && { fromDate: filter.fromDate }),
    ...(filter.toDate !== undefined && { toDate: filter.toDate }),
  };
}

/**
 * Pure: does a decoded entry match? Applied after QStash's own filtering as a
 * guard: an extra label naming another job, or a server that ignores a filter,
 * must never widen a bulk retry or delete. Dates are left to QStash.
 */
export function matchesFilter(entry: { jobName: string; responseStatus: number | null }, filter: DlqFilter): boolean {
  if (filter.job !== undefined && entry.jobName !== filter.job) return false;
  if (filter.status !== undefined && entry.responseStatus !== filter.status) return false;
  return true;
}
