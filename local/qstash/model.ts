import type { StoredBody } from "./body";
import type { HeaderMap } from "./header-map";
import type { CallbackOverrides, FlowControlSpec, HttpMethod, Redaction } from "./publish-options";

/** Where a message is in its life; finished messages leave `State.messages`. */
type MessageState = "CREATED" | "ACTIVE" | "RETRY";

/**
 * One pending message. Everything here is plain JSON so the whole record can
 * be written to the data file and picked up again after a restart.
 */
export interface MessageRecord {
  messageId: string;
  /** Global creation order; breaks ties so equal due times stay FIFO. */
  seq: number;
  url: string;
  method: HttpMethod;
  /** Forwarded headers (prefix removed) and Content-Type. */
  header: HeaderMap;
  /** The body bytes (see `StoredBody`); delivered unchanged. */
  body: StoredBody;
  /** ms */
  createdAt: number;
  /** ms; earliest first attempt. */
  notBefore: number;
  maxRetries: number;
  retryDelayExpression?: string;
  timeoutMs?: number;
  callback?: string;
  failureCallback?: string;
  callbackOverrides?: CallbackOverrides;
  failureCallbackOverrides?: CallbackOverrides;
  topicName?: string;
  endpointName?: string;
  queueName?: string;
  scheduleId?: string;
  callerIp: string;
  flowControl?: FlowControlSpec;
  labels: string[];
  redact?: Redaction;
  /** Set on callback and failure-callback messages, which never get callbacks of their own. */
  callbackFor?: { kind: "callback" | "failureCallback"; sourceMessageId: string };

  state: MessageState;
  /** Attempts made so far (the next attempt sends `Upstash-Retried: retried`). */
  retried: number;
  /** ms; when the next attempt may start. */
  nextAttemptAt: number;
  /** True once the first attempt began: the message then holds its queue slot until it finishes. */
  started: boolean;
  /** Cancelled while an attempt was in flight; finishes as CANCELLED when it returns. */
  cancelRequested?: boolean;
}

/** What the destination answered on the last failed attempt. */
export interface AttemptResponse {
  status?: number;
  /** Lower-case names. */
  headers?: HeaderMap;
  bodyBase64?: string;
  /** Network error, timeout, or "status 500". */
  error?: string;
}

export interface DlqEntry {
  dlqId: string;
  seq: number;
  /** ms; when the message ended in FAILED. */
  failedAt: number;
  message: MessageRecord;
  response: AttemptResponse;
}

export interface ScheduleRecord {
  scheduleId: string;
  /** As given, including any `CRON_TZ=` prefix. */
  cron: string;
  createdAt: number;
  destination: string;
  callerIp: string;
  isPaused: boolean;
  /** The raw publish headers (lower-case) each firing is published with. */
  publishHeaders: Record<string, string>;
  bodyBase64: string;
  lastScheduleTime?: number;
  nextScheduleTime?: number;
  lastScheduleStates: Record<string, "IN_PROGRESS" | "SUCCESS" | "FAIL">;
}

export interface QueueRecord {
  name: string;
  createdAt: number;
  updatedAt: number;
  parallelism: number;
  paused: boolean;
}

export interface TopicRecord {
  name: string;
  createdAt: number;
  updatedAt: number;
  endpoints: Array<{ url: string; name?: string }>;
}

/** A flow-control key's configuration and live counters. */
export interface FlowControlRecord {
  key: string;
  parallelism?: number;
  rate?: number;
  periodSeconds: number;
  isPaused: boolean;
  pinnedParallelism: boolean;
  pinnedRate: boolean;
  /** Deliveries started in the current rate period. */
  rateCount: number;
  /** ms */
  ratePeriodStart: number;
}

export interface DedupRecord {
  /** What the first publish answered, replayed with `deduplicated: true`. */
  response: unknown;
  /** ms */
  expiresAt: number;
}
