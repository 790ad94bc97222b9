/**
 * What the admin page shows, as it travels in its address: the DLQ filter, the
 * message opened in detail, a step waiting for confirmation and the outcome of
 * the last action. The address is the state so that every button also works as
 * a plain form without JavaScript; with JavaScript the page keeps the same
 * address current while it updates in place. Pure: shared by the server page,
 * its server actions and the client dashboard.
 */

export interface Filter {
  job: string;
  status: string;
  /** `datetime-local` text, read as UTC (every time on the page is UTC). */
  from: string;
  to: string;
}

export type Action = "retry" | "delete";
/** A DLQ id, or every message matching the filter. */
export type Target = string;
export type Pending = { action: Action; dlqId: Target } | null;
export type Notice = { text: string; bad?: boolean } | null;

/** How many recent runs the page lists (the API's default too). */
export const RUNS_SHOWN = 50;

export const MATCHING = "matching";
export const FILTER_FIELDS = ["job", "status", "from", "to"] as const;

type Params = Record<string, string | string[] | undefined> | URLSearchParams;

function read(params: Params, name: string): string {
  const value = params instanceof URLSearchParams ? params.get(name) : params[name];
  return (Array.isArray(value) ? value[0] : value)?.trim() ?? "";
}

export function readFilter(params: Params): Filter {
  return { job: read(params, "job"), status: read(params, "status"), from: read(params, "from"), to: read(params, "to") };
}

export function hasFilter(filter: Filter): boolean {
  return FILTER_FIELDS.some((field) => filter[field] !== "");
}

/** The filter as the admin API and `dlqFilterInputSchema` take it (empty fields left out). */
export function filterQuery(filter: Filter): string {
  const query = new URLSearchParams();
  for (const field of FILTER_FIELDS) if (filter[field]) query.set(field, filter[field]);
  return query.toString();
}

export function filterInput(filter: Filter): Record<string, string> {
  return Object.fromEntries(FILTER_FIELDS.filter((field) => filter[field]).map((field) => [field, filter[field]]));
}

/** `?confirm=retry:<dlqId>` or `?confirm=delete:matching`: the step a button without JavaScript asks for first. */
export function readPending(params: Params): Pending {
  const match = /^(retry|delete):(.+)$/.exec(read(params, "confirm"));
  return match ? { action: match[1] as Action, dlqId: match[2]! } : null;
}

export function pendingValue(action: Action, dlqId: Target): string {
  return `${action}:${dlqId}`;
}

/** The admin page's address with the filter kept and, optionally, an outcome to report. */
export function adminHref(filter: Filter, extra: Record<string, string | number> = {}): string {
  const query = new URLSearchParams(filterQuery(filter));
  for (const [name, value] of Object.entries(extra)) query.set(name, String(value));
  const text = query.toString();
  return text ? `/admin?${text}` : "/admin";
}

const ID = /^[\w.-]{1,200}$/;
const COUNT = /^\d{1,6}$/;

/**
 * The outcome of an action that ran without JavaScript, from fixed templates:
 * a crafted link can only fill in ids and counts, never write its own text.
 */
export function readNotice(params: Params): Notice {
  const done = read(params, "done");
  const id = ID.test(read(params, "id")) ? read(params, "id") : "";
  const count = (name: string) => (COUNT.test(read(params, name)) ? Number(read(params, name)) : 0);
  const failed = count("failed") > 0 ? ` ${count("failed")} failed.` : "";
  switch (done) {
    case "retried":
      return id
        ? {
            text: `Retried ${id}: delivered again${ID.test(read(params, "as")) ? ` as ${read(params, "as")}` : ""}.${failed}`,
            bad: failed !== "",
          }
        : { text: `Retried ${count("n")} of ${count("of")} messages.${failed}`, bad: failed !== "" };
    case "deleted":
      return id
        ? { text: `Deleted ${id}.${failed}`, bad: failed !== "" }
        : { text: `Deleted ${count("n")} of ${count("of")} messages.${failed}`, bad: failed !== "" };
    case "paused":
    case "resumed":
      return id ? { text: `${done === "paused" ? "Paused" : "Resumed"} schedule ${id}.` } : null;
    case "missing":
      return { text: `No DLQ message ${id || "with that id"}: it was retried or deleted already.`, bad: true };
    case "invalid":
      return { text: "That filter is not valid: fix it and try again.", bad: true };
    case "error":
      return { text: "QStash did not accept the request. The lists below show what changed; try again.", bad: true };
    default:
      return null;
  }
}
