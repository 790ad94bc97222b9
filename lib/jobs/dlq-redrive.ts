import * as z from "zod/mini";
import type { DlqEntry } from "../dlq/decode";
import type { Redis } from "../job-runtime";
import { defineJob } from "./context";

/**
 * Every 10 minutes (lib/flows/schedules.ts) the DLQ gets a second chance: messages
 * whose last failure looks transient are retried, each at most once. A message
 * QStash re-publishes gets a new id; that id is remembered too, so if it dies
 * again it is left for a person instead of looping.
 */

export type RedriveDecision = "retry" | "permanent" | "client-error" | "already-redriven" | "other-app";

/** Pure: a failure worth one more try. No status at all means the attempt timed out or never got an answer. */
export function isTransientFailure(status: number | null): boolean {
  if (status === null || status === 0) return true;
  if (status >= 500 && status <= 599) return status !== 501 && status !== 505;
  // 408/429 are "try later" by definition; 409 is what our route answers while an earlier delivery still runs.
  return status === 408 || status === 409 || status === 429;
}

/** Pure: what to do with each DLQ entry. `redriven` holds message ids already re-driven (or born of a re-drive). */
export function decideRedrive(
  entry: Pick<DlqEntry, "messageId" | "url" | "responseStatus">,
  appUrl: string,
  redriven: ReadonlySet<string>,
): RedriveDecision {
  if (!entry.url.startsWith(`${appUrl}/`)) return "other-app";
  if (redriven.has(entry.messageId)) return "already-redriven";
  if (entry.responseStatus === 489) return "permanent";
  return isTransientFailure(entry.responseStatus) ? "retry" : "client-error";
}

export const redriveKey = (messageId: string) => `dlq-redrive:done:${messageId}`;
export const REDRIVE_REPORTS_KEY = "dlq-redrive:reports";

export interface RedriveReport {
  /** Unix epoch ms. */
  at: number;
  dryRun: boolean;
  scanned: number;
  retried: Array<{
    dlqId: string;
    messageId: string;
    newMessageId: string | null;
    jobName: string;
    responseStatus: number | null;
  }>;
  skipped: Partial<Record<Exclude<RedriveDecision, "retry">, number>>;
  failed: Array<{ dlqId: string; error: string }>;
}

export const dlqRedrive = defineJob({
  name: "dlq-redrive",
  schema: z.object({
    /** DLQ messages retried per run, at most. */
    maxMessages: z._default(z.int().check(z.gte(1), z.lte(1_000)), 100),
    /** Decide and report, but retry nothing. */
    dryRun: z._default(z.boolean(), false),
  }),
  retries: 1,
  retryDelay: "pow(2, retried) * 1000",
  flowControl: { key: "dlq-redrive", parallelism: 1 },
});

/** Newest first. */
export async function listRedriveReports(redis: Redis, limit = 10): Promise<RedriveReport[]> {
  const rows = await redis.lrange<RedriveReport | string>(REDRIVE_REPORTS_KEY, 0, limit - 1);
  return rows.map((row) => (typeof row === "string" ? (JSON.parse(row) as RedriveReport) : row));
}
