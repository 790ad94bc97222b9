import type { EventEmitter } from "node:events";
import { canonicalizeHeaderMap, type HeaderMap } from "./header-map";
import { bodyBase64, bodyFields } from "./body";
import { matchesFilter, type Filter } from "./filters";
import type { AttemptResponse, MessageRecord } from "./model";
import { compact, redactHeaders, REDACTED } from "./views";

export type LogState = "CREATED" | "ACTIVE" | "RETRY" | "ERROR" | "DELIVERED" | "FAILED" | "CANCEL_REQUESTED" | "CANCELLED";

/** One state change, in the shape `GET /v2/events` returns (§11). */
export interface LogEvent {
  time: number;
  state: LogState;
  messageId: string;
  url: string;
  method: string;
  topicName?: string;
  endpointName?: string;
  header?: HeaderMap;
  /** base64 */
  body?: string;
  nextDeliveryTime?: number;
  error?: string;
  responseStatus?: number;
  responseBody?: string;
  responseBodyBase64?: string;
  responseHeaders?: HeaderMap;
  label?: string;
  labels?: string[];
  scheduleId?: string;
  queueName?: string;
  flowControlKey?: string;
  callerIp?: string;
  callback?: string;
  failureCallback?: string;
  maxRetries: number;
  /** The attempt number this event is about (`Upstash-Retried`). */
  retried: number;
  dlqId?: string;
}

export interface LogExtra {
  nextDeliveryTime?: number;
  response?: AttemptResponse;
  dlqId?: string;
}

/**
 * What the log keeps per event: the message by reference (its defining fields
 * never change once published) plus the few values that do. The event JSON is
 * built when someone reads it, so a queued message costs its log entry a few
 * dozen bytes rather than a second copy of its headers and fields.
 */
interface Stored {
  seq: number;
  time: number;
  state: LogState;
  message: MessageRecord;
  retried: number;
  extra: LogExtra | undefined;
}

/**
 * The newest `capacity` events, in memory only. Every event is also emitted as
 * "event" so tests and the dashboard can react without polling.
 */
export class EventLog {
  #entries: Stored[] = [];
  #seq = 0;

  constructor(
    private readonly emitter: EventEmitter,
    private readonly capacity = 10_000,
  ) {}

  record(state: LogState, message: MessageRecord, time: number, extra?: LogExtra): void {
    const stored: Stored = { seq: ++this.#seq, time, state, message, retried: message.retried, extra };
    this.#entries.push(stored);
    // Trim in chunks rather than per event, so a full log doesn't copy 10k entries on every record.
    if (this.#entries.length > this.capacity * 1.1) this.#entries.splice(0, this.#entries.length - this.capacity);
    if (this.emitter.listenerCount("event") > 0) this.emitter.emit("event", toEvent(stored));
  }

  /**
   * Newest first. The cursor is the sequence number to continue below; it is
   * left out on the last page, as the SDK's pagination loop expects.
   */
  query(filter: Filter, count: number, cursor?: string, messageIds?: string[]): { events: LogEvent[]; cursor?: string } {
    const below = cursor ? Number(cursor) : Infinity;
    const picked: Array<{ stored: Stored; event: LogEvent }> = [];
    let more = false;
    for (let index = this.#entries.length - 1; index >= 0; index--) {
      const stored = this.#entries[index]!;
      if (stored.seq >= below) continue;
      if (messageIds && !messageIds.includes(stored.message.messageId)) continue;
      const event = toEvent(stored);
      if (!matchesFilter({ ...event, labels: event.labels ?? [] }, filter)) continue;
      if (picked.length === count) {
        more = true;
        break;
      }
      picked.push({ stored, event });
    }
    const events = picked.map((pick) => pick.event);
    return more ? { events, cursor: String(picked.at(-1)!.stored.seq) } : { events };
  }

  recent(count: number): LogEvent[] {
    return this.#entries.slice(-count).reverse().map(toEvent);
  }

  clear(): void {
    this.#entries = [];
  }
}

function toEvent({ time, state, message, retried, extra = {} }: Stored): LogEvent {
  const response = extra.response;
  return compact({
    time,
    state,
    messageId: message.messageId,
    url: message.url,
    method: message.method,
    topicName: message.topicName,
    endpointName: message.endpointName,
    header: redactHeaders(message.header, message.redact),
    body: message.redact?.body ? REDACTED : message.body ? bodyBase64(message.body) : undefined,
    nextDeliveryTime: extra.nextDeliveryTime,
    error: response?.error,
    responseStatus: response?.status,
    ...bodyFields(response?.bodyBase64 ?? "", { text: "responseBody", base64: "responseBodyBase64" }),
    responseHeaders: response?.headers ? canonicalizeHeaderMap(response.headers) : undefined,
    label: message.labels[0],
    labels: message.labels.length > 0 ? message.labels : undefined,
    scheduleId: message.scheduleId,
    queueName: message.queueName,
    flowControlKey: message.flowControl?.key,
    callerIp: message.callerIp,
    callback: message.callback,
    failureCallback: message.failureCallback,
    maxRetries: message.maxRetries,
    retried,
    dlqId: extra.dlqId,
  });
}
