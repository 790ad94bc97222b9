import { validateUrl } from "./destination";
import { parseDurationMs } from "./duration";
import { badRequest } from "./errors";
import { canonicalHeaderName, type FlatHeaders, type HeaderMap } from "./header-map";
import { compileRetryDelay } from "./retry-expression";

const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** Per-callback overrides from `Upstash-Callback-*` / `Upstash-Failure-Callback-*`. */
export interface CallbackOverrides {
  method?: HttpMethod;
  timeoutMs?: number;
  retries?: number;
  retryDelayExpression?: string;
  delayMs?: number;
  forwardHeaders?: HeaderMap;
}

export interface FlowControlSpec {
  key: string;
  /** Max deliveries in flight for the key. */
  parallelism?: number;
  /** Max deliveries started per period. */
  rate?: number;
  /** Length of a rate period. @default 1 */
  periodSeconds?: number;
}

/** `Upstash-Redact-Fields`: hides data from API and log output only, never from delivery. */
export interface Redaction {
  body: boolean;
  allHeaders: boolean;
  /** Lower-case header names. */
  headers: string[];
}

/**
 * Everything a publish-like request's headers configure (§2.2). Fields are
 * undefined when the header was absent, so the same parse serves as the
 * override set of a DLQ retry; defaults are applied when a message is built.
 */
export interface PublishOptions {
  method?: HttpMethod;
  /** Forwarded headers (prefix removed) plus Content-Type, canonical names. */
  header: HeaderMap;
  delayMs?: number;
  /** From `Upstash-Not-Before` (sent in seconds). */
  notBeforeMs?: number;
  retries?: number;
  retryDelayExpression?: string;
  timeoutMs?: number;
  callback?: string;
  failureCallback?: string;
  callbackOverrides?: CallbackOverrides;
  failureCallbackOverrides?: CallbackOverrides;
  deduplicationId?: string;
  contentBasedDeduplication?: boolean;
  flowControl?: FlowControlSpec;
  labels?: string[];
  redact?: Redaction;
  /** `Upstash-Queue-Name`, used by schedules. */
  queueName?: string;
  /** `Upstash-Schedule-Id`, used by schedule upserts. */
  scheduleId?: string;
  /** `Upstash-Cron`, used by schedules. */
  cron?: string;
}

export const NAME_PATTERN = /^[A-Za-z0-9._-]+$/;

/** Parses the §2.2 header set; malformed values are 400s naming the header. */
export function parsePublishOptions(headers: FlatHeaders): PublishOptions {
  const get = (name: string) => headers[name];
  const options: PublishOptions = { header: forwardedHeaders(headers, "upstash-forward-") };
  const contentType = get("content-type");
  if (contentType !== undefined) options.header["Content-Type"] = [contentType];

  const method = get("upstash-method");
  if (method !== undefined) options.method = parseMethod(method, "Upstash-Method");
  const delay = get("upstash-delay");
  if (delay !== undefined) options.delayMs = parseDurationMs(delay, "Upstash-Delay");
  const notBefore = get("upstash-not-before");
  if (notBefore !== undefined) options.notBeforeMs = parseInteger(notBefore, "Upstash-Not-Before") * 1_000;
  const retries = get("upstash-retries");
  if (retries !== undefined) options.retries = parseInteger(retries, "Upstash-Retries");
  const retryDelay = get("upstash-retry-delay");
  if (retryDelay !== undefined) options.retryDelayExpression = parseExpression(retryDelay);
  const timeout = get("upstash-timeout");
  if (timeout !== undefined) options.timeoutMs = parseDurationMs(timeout, "Upstash-Timeout");
  const callback = get("upstash-callback");
  if (callback !== undefined) options.callback = validateUrl(callback.trim(), "Upstash-Callback");
  const failureCallback = get("upstash-failure-callback");
  if (failureCallback !== undefined) options.failureCallback = validateUrl(failureCallback.trim(), "Upstash-Failure-Callback");
  const callbackOverrides = parseCallbackOverrides(headers, "upstash-callback-");
  if (callbackOverrides) options.callbackOverrides = callbackOverrides;
  const failureOverrides = parseCallbackOverrides(headers, "upstash-failure-callback-");
  if (failureOverrides) options.failureCallbackOverrides = failureOverrides;

  const dedupId = get("upstash-deduplication-id");
  if (dedupId !== undefined && dedupId !== "") options.deduplicationId = dedupId;
  const contentDedup = get("upstash-content-based-deduplication");
  if (contentDedup !== undefined) options.contentBasedDeduplication = contentDedup.trim().toLowerCase() === "true";

  const flowKey = get("upstash-flow-control-key");
  const flowValue = get("upstash-flow-control-value");
  if (flowKey !== undefined) options.flowControl = { key: flowKey.trim(), ...parseFlowControlValue(flowValue ?? "") };
  if (flowKey !== undefined && !flowKey.trim()) throw badRequest("invalid Upstash-Flow-Control-Key: empty");

  const label = get("upstash-label");
  if (label !== undefined)
    options.labels = label
      .split(",")
      .map((part) => part.trim())
      .filter(Boolean);
  const redact = get("upstash-redact-fields");
  if (redact !== undefined) options.redact = parseRedaction(redact);

  const queueName = get("upstash-queue-name");
  if (queueName !== undefined) options.queueName = parseName(queueName, "Upstash-Queue-Name");
  const scheduleId = get("upstash-schedule-id");
  if (scheduleId !== undefined) options.scheduleId = parseName(scheduleId, "Upstash-Schedule-Id");
  const cron = get("upstash-cron");
  if (cron !== undefined) options.cron = cron.trim();
  return options;
}

/** `parallelism=2, rate=5, period=1m` in any order, any subset. */
export function parseFlowControlValue(value: string): Omit<FlowControlSpec, "key"> {
  const spec: Omit<FlowControlSpec, "key"> = {};
  for (const part of value
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean)) {
    const [rawName, rawValue = ""] = part.split("=").map((item) => item.trim());
    const name = rawName!.toLowerCase();
    if (name === "parallelism") spec.parallelism = parsePositive(rawValue, "parallelism");
    else if (name === "rate" || name === "ratepersecond") spec.rate = parsePositive(rawValue, "rate");
    else if (name === "period")
      spec.periodSeconds = Math.max(1, Math.round(parseDurationMs(rawValue, "Upstash-Flow-Control-Value period") / 1_000));
    else throw badRequest(`invalid Upstash-Flow-Control-Value: unknown setting ${JSON.stringify(rawName)}`);
  }
  return spec;
}

function parseMethod(value: string, headerName: string): HttpMethod {
  const method = value.trim().toUpperCase();
  if (!(HTTP_METHODS as readonly string[]).includes(method)) throw badRequest(`invalid ${headerName}: ${JSON.stringify(value)}`);
  return method as HttpMethod;
}

function parseName(value: string, what: string): string {
  const name = value.trim();
  if (!NAME_PATTERN.test(name))
    throw badRequest(`invalid ${what}: ${JSON.stringify(value)}, use letters, digits, '.', '_' or '-'`);
  return name;
}

function parseInteger(value: string, headerName: string): number {
  const text = value.trim();
  if (!/^\d+$/.test(text)) throw badRequest(`invalid ${headerName}: ${JSON.stringify(value)}, want a non-negative integer`);
  return Number(text);
}

function parsePositive(value: string, what: string): number {
  const number = Number(value);
  if (!value || !Number.isInteger(number) || number < 1) throw badRequest(`invalid Upstash-Flow-Control-Value: ${what}=${value}`);
  return number;
}

function parseExpression(value: string): string {
  compileRetryDelay(value);
  return value;
}

function parseCallbackOverrides(headers: FlatHeaders, prefix: string): CallbackOverrides | undefined {
  const overrides: CallbackOverrides = {};
  const get = (name: string) => headers[`${prefix}${name}`];
  const label = canonicalHeaderName(prefix);
  const method = get("method");
  if (method !== undefined) overrides.method = parseMethod(method, `${label}Method`);
  const timeout = get("timeout");
  if (timeout !== undefined) overrides.timeoutMs = parseDurationMs(timeout, `${label}Timeout`);
  const retries = get("retries");
  if (retries !== undefined) overrides.retries = parseInteger(retries, `${label}Retries`);
  const retryDelay = get("retry-delay");
  if (retryDelay !== undefined) overrides.retryDelayExpression = parseExpression(retryDelay);
  const delay = get("delay");
  if (delay !== undefined) overrides.delayMs = parseDurationMs(delay, `${label}Delay`);
  const forward = forwardedHeaders(headers, `${prefix}forward-`);
  if (Object.keys(forward).length > 0) overrides.forwardHeaders = forward;
  return Object.keys(overrides).length > 0 ? overrides : undefined;
}

function forwardedHeaders(headers: FlatHeaders, prefix: string): HeaderMap {
  const out: HeaderMap = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith(prefix) && name.length > prefix.length) out[canonicalHeaderName(name.slice(prefix.length))] = [value];
  }
  return out;
}

function parseRedaction(value: string): Redaction {
  const redaction: Redaction = { body: false, allHeaders: false, headers: [] };
  for (const part of value
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean)) {
    const named = /^headers?\[(.+)\]$/i.exec(part);
    if (part.toLowerCase() === "body") redaction.body = true;
    else if (/^headers?$/i.test(part)) redaction.allHeaders = true;
    else if (named) redaction.headers.push(named[1]!.trim().toLowerCase());
    else throw badRequest(`invalid Upstash-Redact-Fields: unknown field ${JSON.stringify(part)}`);
  }
  return redaction;
}
