import { badRequest } from "./errors";

/** Query filters shared by the DLQ, bulk cancel and the event log. */
export const FILTER_FIELDS = [
  "messageId",
  "url",
  "topicName",
  "scheduleId",
  "queueName",
  "label",
  "flowControlKey",
  "callerIp",
  "responseStatus",
  "host",
  "path",
  "state",
] as const;
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

/**
 * A value may be repeated (`?label=a&label=b`) or comma-joined (`?label=a,b`);
 * values of one field are ORed, fields are ANDed. `urlGroup` is accepted as
 * an alias of `topicName`.
 */
export function parseFilter(params: URLSearchParams, allowed: readonly FilterField[]): Filter {
  const filter: Filter = { values: {} };
  for (const field of allowed) {
    const raw = [...params.getAll(field), ...(field === "topicName" ? params.getAll("urlGroup") : [])];
    const values = raw.flatMap((value) => (field === "url" ? [value] : value.split(","))).map((value) => value.trim()).filter(Boolean);
    if (values.length > 0) filter.values[field] = values;
  }
  const fromDate = params.get("fromDate");
  if (fromDate) filter.fromDate = parseDate(fromDate, "fromDate");
  const toDate = params.get("toDate");
  if (toDate) filter.toDate = parseDate(toDate, "toDate");
  return filter;
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
      return item.state === value || (value === "CANCELED" && item.state === "CANCELLED") || (value === "IN_PROGRESS" && isInProgress(item.state));
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
  const number = Number(value);
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
