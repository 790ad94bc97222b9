import { bodyBase64, bodyFields } from "./body";
import { canonicalizeHeaderMap, type HeaderMap } from "./header-map";
import type { DlqEntry, MessageRecord } from "./model";
import type { Redaction } from "./publish-options";

/** Shown in place of redacted data; the stored copy is untouched and still delivered. */
export const REDACTED = "REDACTED";

/** The Message JSON of §7. */
export interface MessageView {
  messageId: string;
  url: string;
  method: string;
  header: HeaderMap;
  body?: string;
  bodyBase64?: string;
  maxRetries: number;
  retryDelayExpression?: string;
  /** ms */
  notBefore: number;
  /** ms */
  createdAt: number;
  callback?: string;
  failureCallback?: string;
  topicName?: string;
  endpointName?: string;
  queueName?: string;
  scheduleId?: string;
  callerIp: string;
  flowControlKey?: string;
  parallelism?: number;
  rate?: number;
  /** seconds */
  period?: number;
  label?: string;
  labels?: string[];
}

/** The Message JSON of §7, with `Upstash-Redact-Fields` applied. */
export function messageJson(message: MessageRecord): MessageView {
  const flow = message.flowControl;
  return compact<MessageView>({
    messageId: message.messageId,
    url: message.url,
    method: message.method,
    header: redactHeaders(message.header, message.redact),
    ...redactBody(bodyBase64(message.body), message.redact, { text: "body", base64: "bodyBase64" }),
    maxRetries: message.maxRetries,
    retryDelayExpression: message.retryDelayExpression,
    notBefore: message.notBefore,
    createdAt: message.createdAt,
    callback: message.callback,
    failureCallback: message.failureCallback,
    topicName: message.topicName,
    endpointName: message.endpointName,
    queueName: message.queueName,
    scheduleId: message.scheduleId,
    callerIp: message.callerIp,
    flowControlKey: flow?.key,
    parallelism: flow?.parallelism,
    rate: flow?.rate,
    period: flow ? (flow.periodSeconds ?? 1) : undefined,
    label: message.labels[0],
    labels: message.labels.length > 0 ? message.labels : undefined,
  });
}

/** A DLQ entry: the Message plus the last response (§6). */
export function dlqJson(entry: DlqEntry): MessageView & Record<string, unknown> {
  return compact({
    ...messageJson(entry.message),
    dlqId: entry.dlqId,
    responseStatus: entry.response.status,
    responseHeader: entry.response.headers ? canonicalizeHeaderMap(entry.response.headers) : undefined,
    ...bodyFields(entry.response.bodyBase64 ?? "", { text: "responseBody", base64: "responseBodyBase64" }),
    error: entry.response.error,
  });
}

export function redactHeaders(header: HeaderMap, redact: Redaction | undefined): HeaderMap {
  if (!redact || (!redact.allHeaders && redact.headers.length === 0)) return header;
  const out: HeaderMap = {};
  for (const [name, values] of Object.entries(header)) {
    const hidden = redact.allHeaders || redact.headers.includes(name.toLowerCase());
    out[name] = hidden ? values.map(() => REDACTED) : values;
  }
  return out;
}

function redactBody(bodyBase64: string, redact: Redaction | undefined, names: { text: string; base64: string }) {
  if (redact?.body && bodyBase64) return { [names.text]: REDACTED };
  return bodyFields(bodyBase64, names);
}

/** Drops undefined fields so optional ones are left out rather than sent as null. */
export function compact<T extends object>(object: T): T {
  const record = object as Record<string, unknown>;
  for (const key of Object.keys(record)) if (record[key] === undefined) delete record[key];
  return object;
}
