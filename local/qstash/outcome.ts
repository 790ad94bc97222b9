import type { AttemptResult } from "./attempt";
import { retryDelayMs } from "./backoff";
import { publishCallback } from "./callbacks";
import type { Core } from "./core";
import type { AttemptResponse, MessageRecord } from "./model";

/** A destination's way of saying "retrying can't help" (together with the header below). */
const NON_RETRYABLE_STATUS = 489;
const NON_RETRYABLE_HEADER = "upstash-nonretryable-error";

function isSuccess(result: AttemptResult): boolean {
  return result.status !== undefined && result.status >= 200 && result.status < 300;
}

function isNonRetryable(result: AttemptResult): boolean {
  return result.status === NON_RETRYABLE_STATUS && result.headers[NON_RETRYABLE_HEADER]?.[0]?.trim().toLowerCase() === "true";
}

/**
 * Applies §3.2 to a finished attempt: DELIVERED on 2xx; FAILED at once on
 * 489 + Upstash-NonRetryable-Error; otherwise RETRY while retries remain, then
 * FAILED. The callback fires after every attempt, the failure callback once.
 */
export function applyOutcome(core: Core, message: MessageRecord, result: AttemptResult): void {
  const now = core.clock.now();
  const attempt = message.retried;
  if (message.cancelRequested) {
    finish(core, message);
    core.log.record("CANCELLED", message, now);
    return;
  }
  const response = toResponse(result);
  if (isSuccess(result)) {
    finish(core, message);
    core.log.record("DELIVERED", message, now, { response });
    markSchedule(core, message, "SUCCESS");
    publishCallback(core, "callback", message, result, attempt);
    return;
  }
  core.log.record("ERROR", message, now, { response });
  publishCallback(core, "callback", message, result, attempt);
  if (!isNonRetryable(result) && message.retried < message.maxRetries) {
    message.retried += 1;
    message.state = "RETRY";
    message.nextAttemptAt =
      now +
      retryDelayMs({
        retryNumber: message.retried,
        responseHeaders: result.headers,
        retryDelayExpression: message.retryDelayExpression,
        retryScale: core.config.retryScale,
        nowMs: now,
      });
    core.log.record("RETRY", message, now, { nextDeliveryTime: message.nextAttemptAt, response });
    core.changed();
    return;
  }
  fail(core, message, response, result, attempt);
}

function fail(core: Core, message: MessageRecord, response: AttemptResponse, result: AttemptResult, attempt: number): void {
  const now = core.clock.now();
  finish(core, message);
  const seq = core.nextSeq();
  const dlqId = `${now}-${seq}`;
  core.state.dlq.set(dlqId, { dlqId, seq, failedAt: now, message: { ...message }, response });
  core.log.record("FAILED", message, now, { response, dlqId });
  markSchedule(core, message, "FAIL");
  publishCallback(core, "failureCallback", message, result, attempt, dlqId);
}

function finish(core: Core, message: MessageRecord): void {
  core.state.messages.delete(message.messageId);
  core.changed();
}

function markSchedule(core: Core, message: MessageRecord, state: "SUCCESS" | "FAIL"): void {
  const schedule = message.scheduleId ? core.state.schedules.get(message.scheduleId) : undefined;
  if (schedule && message.messageId in schedule.lastScheduleStates) schedule.lastScheduleStates[message.messageId] = state;
}

function toResponse(result: AttemptResult): AttemptResponse {
  return {
    status: result.status,
    headers: result.headers,
    bodyBase64: result.body.length > 0 ? result.body.toString("base64") : undefined,
    error: result.error ?? (isSuccess(result) ? undefined : `status ${result.status}`),
  };
}
