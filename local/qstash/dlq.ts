import type { Core } from "./core";
import type { DlqEntry, MessageRecord } from "./model";
import type { PublishOptions } from "./publish-options";
import { createMessage } from "./publish";

/**
 * Re-publishes a dead message under a new id with the same body and headers,
 * and removes the DLQ entry. Configuration headers on the retry request
 * (`Upstash-Retries: 0`, a new delay, callbacks…) override the stored ones.
 */
export function retryDlqEntry(core: Core, entry: DlqEntry, overrides: PublishOptions): MessageRecord {
  const now = core.clock.now();
  const source = entry.message;
  const forwarded = Object.fromEntries(Object.entries(overrides.header).filter(([name]) => name !== "Content-Type"));
  const message = createMessage(core, {
    url: source.url,
    method: overrides.method ?? source.method,
    header: { ...source.header, ...forwarded },
    body: source.body,
    notBefore: overrides.notBeforeMs ?? now + (overrides.delayMs ?? 0),
    maxRetries: overrides.retries ?? source.maxRetries,
    retryDelayExpression: overrides.retryDelayExpression ?? source.retryDelayExpression,
    timeoutMs: overrides.timeoutMs ?? source.timeoutMs,
    callback: overrides.callback ?? source.callback,
    failureCallback: overrides.failureCallback ?? source.failureCallback,
    callbackOverrides: overrides.callbackOverrides ?? source.callbackOverrides,
    failureCallbackOverrides: overrides.failureCallbackOverrides ?? source.failureCallbackOverrides,
    topicName: source.topicName,
    endpointName: source.endpointName,
    queueName: source.queueName,
    scheduleId: source.scheduleId,
    callerIp: source.callerIp,
    flowControl: overrides.flowControl ?? source.flowControl,
    labels: overrides.labels ?? source.labels,
    redact: overrides.redact ?? source.redact,
    callbackFor: source.callbackFor,
  });
  core.state.dlq.delete(entry.dlqId);
  core.changed();
  return message;
}
