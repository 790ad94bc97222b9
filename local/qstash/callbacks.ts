import type { AttemptResult } from "./attempt";
import { bodyBase64, storeBody } from "./body";
import type { Core } from "./core";
import { canonicalizeHeaderMap } from "./header-map";
import type { MessageRecord } from "./model";
import { createMessage } from "./publish";
import { compact } from "./views";

/**
 * The JSON body QStash posts to a callback URL (§5). Bodies are base64 and the
 * timestamps are strings, exactly as the hosted service sends them.
 */
function callbackBody(source: MessageRecord, result: AttemptResult, retried: number, dlqId?: string): Record<string, unknown> {
  return compact({
    status: result.status ?? 0,
    header: canonicalizeHeaderMap(result.headers),
    body: result.body.toString("base64"),
    retried,
    maxRetries: source.maxRetries,
    sourceMessageId: source.messageId,
    url: source.url,
    method: source.method,
    sourceHeader: source.header,
    sourceBody: bodyBase64(source.body),
    topicName: source.topicName,
    endpointName: source.endpointName,
    scheduleId: source.scheduleId,
    notBefore: String(source.notBefore),
    createdAt: String(source.createdAt),
    callerIP: source.callerIp,
    dlqId,
    error: result.error,
  });
}

/**
 * Publishes the callback as an ordinary signed message (its URL is the JWT
 * `sub`), with the source's retry settings unless `Upstash-Callback-*`
 * overrides say otherwise.
 */
export function publishCallback(
  core: Core,
  kind: "callback" | "failureCallback",
  source: MessageRecord,
  result: AttemptResult,
  retried: number,
  dlqId?: string,
): MessageRecord | undefined {
  const url = kind === "callback" ? source.callback : source.failureCallback;
  if (!url || source.callbackFor) return undefined;
  const overrides = (kind === "callback" ? source.callbackOverrides : source.failureCallbackOverrides) ?? {};
  const now = core.clock.now();
  const body = JSON.stringify(callbackBody(source, result, retried, dlqId));
  return createMessage(core, {
    url,
    method: overrides.method ?? "POST",
    header: { "Content-Type": ["application/json"], ...overrides.forwardHeaders },
    body: storeBody(Buffer.from(body)),
    notBefore: now + (overrides.delayMs ?? 0),
    maxRetries: overrides.retries ?? source.maxRetries,
    retryDelayExpression: overrides.retryDelayExpression ?? source.retryDelayExpression,
    timeoutMs: overrides.timeoutMs ?? source.timeoutMs,
    callerIp: source.callerIp,
    labels: [],
    callbackFor: { kind, sourceMessageId: source.messageId },
  });
}
