import { badRequest } from "./errors";

/** The query filters every filtered endpoint takes: the DLQ, bulk cancel and the event log. */
export const COMMON_FILTER_FIELDS = [
  "messageId",
  "url",
  "topicName",
  "scheduleId",
  "queueName",
  "label",
  "flowControlKey",
  "callerIp",
] as const;

/** Every query filter some endpoint takes; each endpoint lists its own on top of the common ones. */
const FILTER_FIELDS = [...COMMON_FILTER_FIELDS, "responseStatus", "host", "path", "state"] as const;
export type FilterField = (typeof FILTER_FIELDS)[number];

export interface Filter {
  values: Partial<Record<FilterField, string[]>>;
  /** ms, inclusive */
  fromDate?: number;
  /** ms, inclusive */
  toDate?: number;
}

/** What a filter looks at; each caller maps its record onto this. */
export interface Filterable {
  messageId: string;
  url: string;
  topicName?: string;
  scheduleId?: string;
  queueName?: string;
  labels: string[];
  flowControlKey?: string;
  callerIp?: string;
  responseStatus?: number;
  state?: string;
  /** ms; the time `fromDate`/`toDate` compare with. */
  time: number;
}

/** Every query field an endpoint may receive besides its filters and `fromDate`/`toDate`. */
export type ControlField = "count" | "cursor" | "dlqIds" | "messageIds";

/** `?qstash_token=` authenticates any API call (see server.ts). */
const AUTH_FIELDS = ["qstash_token"];

/** The states `?state=` may name: the server's, the SDK's spelling of CANCELLED, and the IN_PROGRESS group. */
const FILTER_STATES = new Set([
  "CREATED",
  "ACTIVE",
  "RETRY",
  "ERROR",
  "DELIVERED",
  "FAILED",
  "CANCEL_REQUESTED",
  "CANCELLED",
  "CANCELED",
  "IN_PROGRESS",
]);

/**
 * A value may be repeated (`?label=a&label=b`) or comma-joined (`?label=a,b`);
 * values of one field are ORed, fields are ANDed. `urlGroup` is accepted as
 * an alias of `topicName`.
 *
 * Every field the endpoint does not know, and every empty or malformed value,
 * is a 400 naming it: dropping it would leave a wider filter than the caller
 * wrote, and on the delete and cancel endpoints a typo (`?labeel=x`) would
 * then empty the whole queue.
 */
export function parseFilter(
  params: URLSearchParams,
  allowed: readonly FilterField[],
  control: readonly ControlField[] = [],
): Filter {
  rejectUnknownFields(params, allowed, control);
  const filter: Filter = { values: {} };
  for (const field of allowed) {
    const raw = [...params.getAll(field), ...(field === "topicName" ? params.getAll("urlGroup") : [])];
    if (raw.length === 0) continue;
    const values = raw.flatMap((value) => (field === "url" ? [value] : value.split(","))).map((value) => value.trim());
    if (values.some((value) => value === "")) throw badRequest(`empty value in query field "${field}"`);
    for (const value of values) checkValue(field, value);
    filter.values[field] = values;
  }
  const fromDate = params.get("fromDate");
  if (fromDate !== null) filter.fromDate = parseDate(fromDate, "fromDate");
  const toDate = params.get("toDate");
  if (toDate !== null) filter.toDate = parseDate(toDate, "toDate");
  return filter;
}

function rejectUnknownFields(params: URLSearchParams, allowed: readonly FilterField[], control: readonly ControlField[]): void {
  const known = new Set<string>([...allowed, ...control, ...AUTH_FIELDS, "fromDate", "toDate"]);
  if (allowed.includes("topicName")) known.add("urlGroup");
  for (const name of new Set(params.keys())) {
    if (!known.has(name)) {
      throw badRequest(
        `unknown query field "${name}"; this endpoint accepts ${[...known].filter((field) => !AUTH_FIELDS.includes(field)).join(", ")}`,
      );
    }
  }
}

function checkValue(field: FilterField, value: string): void {
  if (field === "state" && !FILTER_STATES.has(value)) {
    throw badRequest(
      `invalid value ${JSON.stringify(value)} for query field "state"; want one of ${[...FILTER_STATES].join(", ")}`,
    );
  }
  if (field === "responseStatus" && !/^[1-5]\d\d$/.test(value)) {
    throw badRequest(`invalid value ${JSON.stringify(value)} for query field "responseStatus"; want an HTTP status code`);
  }
}

export function isEmptyFilter(filter: Filter): boolean {
  return Object.keys(filter.values).length === 0 && filter.fromDate === undefined && filter.toDate === undefined;
}

export function matchesFilter(item: Filterable, filter: Filter): boolean {
  if (filter.fromDate !== undefined && item.time < filter.fromDate) return false;
  if (filter.toDate !== undefined && item.time > filter.toDate) return false;
  for (const [field, wanted] of Object.entries(filter.values) as Array<[FilterField, string[]]>) {
    if (!wanted.some((value) => fieldMatches(item, field, value))) return false;
  }
  return true;
}

function fieldMatches(item: Filterable, field: FilterField, value: string): boolean {
  switch (field) {
    case "label":
      return item.labels.includes(value);
    case "responseStatus":
      return item.responseStatus !== undefined && String(item.responseStatus) === value;
    case "host":
      return urlPart(item.url, "host") === value || urlPart(item.url, "hostname") === value;
    case "path":
      return urlPart(item.url, "pathname") === value;
    case "state":
      // The SDK's type spells it CANCELED; the server's spelling is CANCELLED.
      return (
        item.state === value ||
        (value === "CANCELED" && item.state === "CANCELLED") ||
        (value === "IN_PROGRESS" && isInProgress(item.state))
      );
    default:
      return item[field] === value;
  }
}

function isInProgress(state: string | undefined): boolean {
  return state === "CREATED" || state === "ACTIVE" || state === "RETRY" || state === "ERROR";
}

function urlPart(url: string, part: "host" | "hostname" | "pathname"): string | undefined {
  try {
    return new URL(url)[part];
  } catch {
    return undefined;
  }
}

function parseDate(value: string, name: string): number {
  const number = value.trim() === "" ? NaN : Number(value);
  if (Number.isFinite(number)) return number;
  const parsed = Date.parse(value);
  if (Number.isNaN(parsed)) throw badRequest(`invalid ${name}: ${JSON.stringify(value)}, want Unix milliseconds`);
  return parsed;
}

/** `count` query parameter, clamped to [1, max]. */
export function parseCount(params: URLSearchParams, fallback: number, max: number): number {
  const raw = params.get("count");
  if (raw === null || raw === "") return fallback;
  const count = Number(raw);
  if (!Number.isInteger(count) || count < 1) throw badRequest(`invalid count: ${JSON.stringify(raw)}`);
  return Math.min(count, max);
}
