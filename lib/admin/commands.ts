import type { Client } from "@upstash/qstash";
import { type Clock, log, recordQueued, type Redis } from "../job-runtime";
import {
  deleteEntries,
  type DeleteOutcome,
  resolveSelection,
  retryEntries,
  type DlqSelection,
  type RetryOutcome,
} from "../dlq/operations";

/**
 * What an operator can do to the DLQ, for every way in: the admin API (JSON,
 * scripts and the page with JavaScript) and the page's forms without it.
 * Callers authenticate first; this only acts.
 */
export interface DlqCommandDeps {
  qstash: Pick<Client, "dlq">;
  redis: Redis;
  clock: Clock;
}

export type DlqCommandOutcome =
  | ({ action: "retry"; matched: number } & RetryOutcome)
  | ({ action: "delete"; matched: number } & DeleteOutcome);

export async function runDlqCommand(
  deps: DlqCommandDeps,
  action: "retry" | "delete",
  selection: DlqSelection,
): Promise<DlqCommandOutcome> {
  const entries = await resolveSelection(deps.qstash, selection);
  if (action === "retry") return { action, matched: entries.length, ...(await retryAndRecord(entries, deps)) };
  return { action, matched: entries.length, ...(await deleteEntries(deps.qstash, entries)) };
}

/** Retries, then records each new message as queued so the runs table shows the replay at once. */
async function retryAndRecord(entries: Awaited<ReturnType<typeof resolveSelection>>, deps: DlqCommandDeps) {
  const outcome = await retryEntries(deps.qstash, entries);
  await Promise.all(
    outcome.retried.map(async ({ messageId, jobName }) => {
      if (!messageId) return;
      try {
        await recordQueued(deps.redis, { messageId, jobName, deduplicated: false }, deps.clock.now());
      } catch (error) {
        log.error("record_retry_failed", { messageId, error });
      }
    }),
  );
  return outcome;
}
