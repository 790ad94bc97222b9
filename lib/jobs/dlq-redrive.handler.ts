import type { DlqEntry } from "../dlq/decode";
import { listDlq, PAGE_SIZE, retryEntries } from "../dlq/operations";
import { defineHandler, recordQueued, type Redis } from "../job-runtime";
import { decideRedrive, dlqRedrive, REDRIVE_REPORTS_KEY, type RedriveReport, redriveKey } from "./dlq-redrive";

const REDRIVE_REPORTS_LIMIT = 50;
/** Pages of `PAGE_SIZE` one run reads at most (10,000 entries): the scan stays bounded however full the DLQ. */
const MAX_SCAN_PAGES = 100;
/** Longer than QStash keeps a DLQ entry, so "at most once" holds for an entry's whole life. */
const REDRIVE_MEMORY_SECONDS = 30 * 24 * 60 * 60;

export default defineHandler(dlqRedrive, async (payload, context) => {
  const { signal, qstash } = context;
  const redis = await context.redis();
  const report: RedriveReport = {
    at: context.clock.now(),
    dryRun: payload.dryRun,
    scanned: 0,
    retried: [],
    skipped: {},
    failed: [],
  };
  // The DLQ lists oldest first and keeps what is skipped (489s, re-driven copies that died
  // again): scanning only its first page would, once that page filled with those, never
  // reach a newer transient failure again. So read on past them, page by page, until
  // `maxMessages` candidates or the end (bounded by MAX_SCAN_PAGES).
  const candidates: DlqEntry[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_SCAN_PAGES && candidates.length < payload.maxMessages; page++) {
    signal.throwIfAborted();
    const result = await listDlq(qstash, { ...(cursor && { cursor }), count: PAGE_SIZE });
    report.scanned += result.entries.length;
    const redriven = await alreadyRedriven(
      redis,
      result.entries.map((entry) => entry.messageId),
    );
    for (const entry of result.entries) {
      const decision = decideRedrive(entry, context.appUrl, redriven);
      if (decision === "retry" && candidates.length < payload.maxMessages) candidates.push(entry);
      else if (decision !== "retry") report.skipped[decision] = (report.skipped[decision] ?? 0) + 1;
    }
    if (!result.cursor || result.cursor === cursor) break;
    cursor = result.cursor;
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
