import * as z from "zod/mini";
import "./schema-messages";
import type { Clock } from "./clock";
import { decodeBase64 } from "./base64";
import { jobNameOf, parseJsonOrText, reasonFromResponse } from "./delivery-decode";
import { InvalidSignatureError, NonRetryableError, RetryableError } from "./errors";
import { log } from "./log";
import type { Redis } from "./redis";
import { bodyTooLarge, DEFAULT_JOB_MAX_BODY_BYTES, readBodyWithin } from "./read-body";
import { errorToResponse, json } from "./respond";
import { getRun, markDead } from "./runs";
import { failureCallbackUrl } from "./urls";
import type { Verifier } from "./verify";

/** The body QStash posts to a failure callback (spec: callbacks). Bodies are base64. */
export const failureCallbackSchema = z.object({
  status: z.int(),
  header: z.nullish(z.record(z.string(), z.array(z.string()))),
  body: z.nullish(z.string()),
  retried: z.nullish(z.int()),
  maxRetries: z.nullish(z.int()),
  dlqId: z.nullish(z.string()),
  sourceMessageId: z.string(),
  url: z.string(),
  method: z.nullish(z.string()),
  sourceHeader: z.nullish(z.record(z.string(), z.array(z.string()))),
  sourceBody: z.nullish(z.string()),
});
export type FailureCallback = z.infer<typeof failureCallbackSchema>;

/** What we learned from a failure callback, decoded for people. */
export interface FinalFailure {
  messageId: string;
  dlqId: string;
  jobName: string;
  /** Destination's last HTTP status. */
  status: number;
  /** Destination's last answer, decoded (the route answers JSON with an `error` field). */
  reason: string;
  /** The job payload, decoded, or the raw text when it isn't JSON. */
  payload: unknown;
  retried: number;
  /**
   * The run's canonical idempotency key, from its run record; `<job>/<messageId>`
   * when the message never reached a handler (bad payload, unknown job).
   */
  idempotencyKey: string;
}

export interface FailureCallbackDeps {
  appUrl: string;
  redis: Redis;
  clock: Clock;
  verify: Verifier;
  /** Larger bodies are refused (413) before they are read. @default DEFAULT_JOB_MAX_BODY_BYTES */
  maxBodyBytes?: number;
  /**
   * Extra work once a failure is recorded for the first time (email log, admin
   * email). If it throws, the callback answers 503 and the next delivery of the
   * callback runs it again (only it: the run is already marked dead).
   */
  onFirstFailure?(failure: FinalFailure): Promise<void>;
}

export async function handleFailureCallback(request: Request, deps: FailureCallbackDeps): Promise<Response> {
  const maxBodyBytes = deps.maxBodyBytes ?? DEFAULT_JOB_MAX_BODY_BYTES;
  const read = await readBodyWithin(request, maxBodyBytes);
  if (!read.ok) {
    log.warn("body_too_large", { route: "failure-callback", error: read.reason, limit: maxBodyBytes });
    return bodyTooLarge(maxBodyBytes);
  }
  const body = read.text;
  try {
    await deps.verify({
      signature: request.headers.get("upstash-signature"),
      body,
      expectedUrl: failureCallbackUrl(deps.appUrl),
    });
  } catch (error) {
    if (error instanceof InvalidSignatureError) {
      log.warn("signature_rejected", { route: "failure-callback", error: error.message });
      return errorToResponse(error);
    }
    throw error;
  }
  let parsed: FailureCallback;
  try {
    parsed = failureCallbackSchema.parse(JSON.parse(body));
  } catch (error) {
    // Retrying a callback we can't read won't help.
    return errorToResponse(new NonRetryableError(`unreadable failure callback: ${String(error)}`));
  }
  const { redis } = deps;
  const decoded = decodeFailure(parsed);
  const run = await getRun(redis, decoded.messageId);
  const failure = { ...decoded, idempotencyKey: run?.idempotencyKey ?? decoded.idempotencyKey };
  const first = await markDead(
    redis,
    {
      messageId: failure.messageId,
      jobName: failure.jobName,
      error: `${failure.status}: ${failure.reason}`,
      dlqId: failure.dlqId,
    },
    deps.clock.now(),
  );
  if (!deps.onFirstFailure) return json(200, { ok: true, recorded: first });

  // The follow-up runs once per message: on the first callback, and again only
  // if that attempt failed part-way (the marker still says "pending").
  const marker = followUpKey(failure.messageId);
  const pending = first || (await redis.get<string>(marker)) === "pending";
  if (!pending) return json(200, { ok: true, recorded: false });
  if (first) await redis.set(marker, "pending", { ex: FOLLOW_UP_TTL_SECONDS });
  try {
    await deps.onFirstFailure(failure);
  } catch (error) {
    log.error("failure_follow_up_failed", { job: failure.jobName, messageId: failure.messageId, error });
    // A non-2xx answer makes QStash deliver this callback again; the marker lets that attempt finish the job.
    return errorToResponse(
      error instanceof RetryableError ? error : new RetryableError("failure follow-up failed", undefined, { cause: error }),
      { messageId: failure.messageId },
    );
  }
  await redis.set(marker, "done", { ex: FOLLOW_UP_TTL_SECONDS });
  return json(200, { ok: true, recorded: first });
}

/** Remembers whether a dead message's follow-up (email log, admin alert) finished. */
const followUpKey = (messageId: string) => `job:dead-follow-up:${messageId}`;
/** Longer than QStash keeps retrying a callback. */
const FOLLOW_UP_TTL_SECONDS = 7 * 24 * 60 * 60;

/** Pure: decodes the base64 bodies and finds the job name in the destination URL. */
export function decodeFailure(callback: FailureCallback): FinalFailure {
  const labels = callback.sourceHeader?.["Upstash-Label"]?.[0]?.split(",") ?? [];
  const jobName = jobNameOf(callback.url, labels);
  return {
    messageId: callback.sourceMessageId,
    dlqId: callback.dlqId ?? "",
    jobName,
    status: callback.status,
    reason: reasonFromResponse(decodeBase64(callback.body ?? ""), callback.status),
    payload: parseJsonOrText(decodeBase64(callback.sourceBody ?? "")),
    retried: callback.retried ?? 0,
    idempotencyKey: `${jobName}/${callback.sourceMessageId}`,
  };
}

/**
 * The POST handler of the failure-callback route (`app/api/qstash/failure/route.ts`). Here, not beside
 * `createJobRoute`, so a job route does not load the failure callback and the run-record reads it needs.
 */
export function createFailureCallbackRoute(deps: () => FailureCallbackDeps) {
  return async function postFailureCallback(request: Request): Promise<Response> {
    return handleFailureCallback(request, deps());
  };
}
