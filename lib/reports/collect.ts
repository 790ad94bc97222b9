import { listEmailLog, EMAIL_LOG_LIMIT, type EmailLogEntry } from "../email-log/store";
import { getRun, type JobRun, type Redis } from "../job-runtime";

/** Members read per round trip batch; the abort signal is checked between batches. */
const MEMBER_BATCH = 10;
const RUN_BATCH = 50;

/**
 * Reads the email log of every member and the run behind each email. Works in
 * batches and stops with the signal's reason (a retryable timeout) once the
 * deadline is near, so a huge organisation never overruns the function limit.
 */
export async function collectReportInputs(
  redis: Redis,
  memberIds: readonly string[],
  signal: AbortSignal,
): Promise<{ emails: EmailLogEntry[]; runs: JobRun[] }> {
  const emails: EmailLogEntry[] = [];
  for (let start = 0; start < memberIds.length; start += MEMBER_BATCH) {
    signal.throwIfAborted();
    const batch = memberIds.slice(start, start + MEMBER_BATCH);
    const logs = await Promise.all(batch.map((userId) => listEmailLog(redis, userId, EMAIL_LOG_LIMIT)));
    emails.push(...logs.flat());
  }
  const messageIds = [...new Set(emails.map((entry) => entry.messageId))];
  const runs: JobRun[] = [];
  for (let start = 0; start < messageIds.length; start += RUN_BATCH) {
    signal.throwIfAborted();
    const batch = await Promise.all(messageIds.slice(start, start + RUN_BATCH).map((id) => getRun(redis, id)));
    runs.push(...batch.filter((run): run is JobRun => run !== null));
  }
  return { emails, runs };
}
