import { z } from "zod";
import type { DlqEntry } from "../dlq/decode";
import { listDlq, PAGE_SIZE, retryEntries } from "../dlq/operations";
import { recordQueued, type Redis } from "../job-runtime";
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
const REDRIVE_REPORTS_KEY = "dlq-redrive:reports";
const REDRIVE_REPORTS_LIMIT = 50;
/** Longer than QStash keeps a DLQ entry, so "at most once" holds for an entry's whole life. */
const REDRIVE_MEMORY_SECONDS = 30 * 24 * 60 * 60;

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
    /** DLQ messages looked at per run. */
    maxMessages: z.number().int().min(1).max(1_000).default(100),
    /** Decide and report, but retry nothing. */
    dryRun: z.boolean().default(false),
  }),
  retries: 1,
  retryDelay: "pow(2, retried) * 1000",
  flowControl: { key: "dlq-redrive", parallelism: 1 },
  async handler(payload, context) {
    const { signal, redis, qstash } = context;
    const entries: DlqEntry[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < Math.ceil(payload.maxMessages / PAGE_SIZE) && entries.length < payload.maxMessages; page++) {
      signal.throwIfAborted();
      const result = await listDlq(qstash, {
        ...(cursor && { cursor }),
        count: Math.min(PAGE_SIZE, payload.maxMessages - entries.length),
      });
      entries.push(...result.entries);
      if (!result.cursor || result.cursor === cursor) break;
      cursor = result.cursor;
    }

    const redriven = await alreadyRedriven(
      redis,
      entries.map((entry) => entry.messageId),
    );
    const report: RedriveReport = {
      at: context.clock.now(),
      dryRun: payload.dryRun,
      scanned: entries.length,
      retried: [],
      skipped: {},
      failed: [],
    };
    const candidates: DlqEntry[] = [];
    for (const entry of entries) {
      const decision = decideRedrive(entry, context.appUrl, redriven);
      if (decision === "retry") candidates.push(entry);
      else report.skipped[decision] = (report.skipped[decision] ?? 0) + 1;
    }

    if (payload.dryRun) {
      report.retried = candidates.map((entry) => ({ ...pick(entry), newMessageId: null }));
    } else if (candidates.length > 0) {
      // Claim before retrying: an overlapping run (or a retry of this one) can't re-drive the same message.
      const claims = await Promise.all(
        candidates.map((entry) => redis.set(redriveKey(entry.messageId), entry.dlqId, { nx: true, ex: REDRIVE_MEMORY_SECONDS })),
      );
      const claimed = candidates.filter((_, index) => claims[index] === "OK");
      const lost = candidates.length - claimed.length;
      if (lost > 0) report.skipped["already-redriven"] = (report.skipped["already-redriven"] ?? 0) + lost;
      const outcome = await retryEntries(qstash, claimed);
      const byDlqId = new Map(claimed.map((entry) => [entry.dlqId, entry]));
      for (const retried of outcome.retried) {
        const entry = byDlqId.get(retried.dlqId)!;
        report.retried.push({ ...pick(entry), newMessageId: retried.messageId });
        if (retried.messageId) {
          await redis.set(redriveKey(retried.messageId), `from:${entry.messageId}`, { ex: REDRIVE_MEMORY_SECONDS });
          await recordQueued(
            redis,
            { messageId: retried.messageId, jobName: entry.jobName, deduplicated: false },
            context.clock.now(),
          );
        }
      }
      // Not retried after all: free the claim so the next run tries again.
      for (const failed of outcome.failed) await redis.del(redriveKey(byDlqId.get(failed.dlqId)!.messageId));
      report.failed = outcome.failed;
    }

    await recordRedriveReport(redis, report);
    return {
      scanned: report.scanned,
      retried: report.retried.length,
      failed: report.failed.length,
      skipped: report.skipped,
      dryRun: report.dryRun,
    };
  },
});

function pick(entry: DlqEntry) {
  return { dlqId: entry.dlqId, messageId: entry.messageId, jobName: entry.jobName, responseStatus: entry.responseStatus };
}

async function alreadyRedriven(redis: Redis, messageIds: string[]): Promise<Set<string>> {
  if (messageIds.length === 0) return new Set();
  const pipeline = redis.pipeline();
  for (const id of messageIds) pipeline.exists(redriveKey(id));
  const found = await pipeline.exec<number[]>();
  return new Set(messageIds.filter((_, index) => Number(found[index]) === 1));
}

async function recordRedriveReport(redis: Redis, report: RedriveReport): Promise<void> {
  const tx = redis.multi();
  tx.lpush(REDRIVE_REPORTS_KEY, report);
  tx.ltrim(REDRIVE_REPORTS_KEY, 0, REDRIVE_REPORTS_LIMIT - 1);
  await tx.exec();
}

/** Newest first. */
export async function listRedriveReports(redis: Redis, limit = 10): Promise<RedriveReport[]> {
  const rows = await redis.lrange<RedriveReport | string>(REDRIVE_REPORTS_KEY, 0, limit - 1);
  return rows.map((row) => (typeof row === "string" ? (JSON.parse(row) as RedriveReport) : row));
}
