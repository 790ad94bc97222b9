import { QstashError } from "@upstash/qstash";
import { findRun, type JobRun, json, log } from "../job-runtime";
import type { Services } from "../deps";
import { redisAdminSessions } from "../admin/auth";
import { requireAdmin } from "./require-admin";

/** What `GET /api/job-status/<messageId>` answers. Times are ISO 8601 strings; durations in ms. */
interface JobStatusView {
  messageId: string;
  job: string;
  status: JobRun["status"];
  attempts: number;
  timings: {
    queuedAt?: string;
    /** While queued with a delay: the first delivery waits until then. */
    notBefore?: string;
    startedAt?: string;
    finishedAt?: string;
    durationMs?: number;
  };
  lastError?: string;
  dlqId?: string;
  result?: unknown;
}

const MESSAGE_ID = /^[A-Za-z0-9_-]{1,200}$/;

/** Pure: the public view of a run record. */
function toStatusView(run: JobRun): JobStatusView {
  const iso = (ms: number | undefined) => (ms === undefined || !Number.isFinite(ms) ? undefined : new Date(ms).toISOString());
  return {
    messageId: run.messageId,
    job: run.job,
    status: run.status,
    attempts: run.attempts,
    timings: {
      queuedAt: iso(run.queuedAt),
      notBefore: iso(run.notBefore),
      startedAt: iso(run.startedAt),
      finishedAt: iso(run.finishedAt),
      durationMs: run.durationMs,
    },
    ...(run.lastError !== undefined && { lastError: run.lastError }),
    ...(run.dlqId !== undefined && { dlqId: run.dlqId }),
    ...(run.result !== undefined && { result: run.result }),
  };
}

/**
 * Admin-only status of one QStash message: the run record the route keeps in Redis once a
 * delivery claimed it, or "queued" from QStash itself before that (producers record nothing).
 */
export async function handleJobStatusRequest(request: Request, messageId: string, services: Services): Promise<Response> {
  const denied = await requireAdmin(request, services.env.ADMIN_TOKEN, services.clock.now(), redisAdminSessions(services.redis));
  if (denied) return denied;
  const headers = { "cache-control": "no-store" };
  if (!MESSAGE_ID.test(messageId)) return json(400, { error: "invalid message id" }, headers);
  let run: JobRun | null;
  try {
    run = await findRun(services.redis, services.qstash.messages, messageId);
  } catch (error) {
    if (!(error instanceof QstashError)) throw error;
    log.error("job_status_qstash_failed", { messageId, error });
    return json(502, { error: "QStash did not answer for this message; try again", messageId }, headers);
  }
  if (!run) return json(404, { error: "no such message: not in QStash and no run recorded", messageId }, headers);
  return json(200, toStatusView(run), headers);
}
