import { retryDlqEntry } from "../dlq";
import { notFound } from "../errors";
import { COMMON_FILTER_FIELDS, matchesFilter, parseCount, parseFilter, type Filter } from "../filters";
import { empty, json, type RequestContext } from "../http";
import type { DlqEntry } from "../model";
import { parsePublishOptions } from "../publish-options";
import { route, type Route } from "../router";
import { dlqJson } from "../views";
import { page, type ApiDeps } from "./deps";

const DLQ_FILTERS = [...COMMON_FILTER_FIELDS, "responseStatus"] as const;
const PAGE_SIZE = 100;

/** §6: list, read, delete and retry dead messages. */
export function dlqRoutes({ core }: ApiDeps): Route[] {
  const find = (id: string): DlqEntry => {
    const entry = core.state.dlq.get(id);
    if (!entry) throw notFound(`dlq message ${id} not found`);
    return entry;
  };

  const matches = (entry: DlqEntry, filter: Filter) =>
    matchesFilter(
      {
        ...entry.message,
        flowControlKey: entry.message.flowControl?.key,
        responseStatus: entry.response.status,
        time: entry.failedAt,
      },
      filter,
    );

  /** `dlqIds` (repeated) picks entries directly; otherwise filters page through in DLQ order. */
  const select = (ctx: RequestContext): { entries: DlqEntry[]; cursor?: string } => {
    const filter = parseFilter(ctx.query, DLQ_FILTERS, ["count", "cursor", "dlqIds"]);
    const ids = ctx.query
      .getAll("dlqIds")
      .flatMap((value) => value.split(","))
      .filter(Boolean);
    if (ids.length > 0) return { entries: ids.flatMap((id) => core.state.dlq.get(id) ?? []) };
    const all = [...core.state.dlq.values()].filter((entry) => matches(entry, filter));
    const { items, cursor } = page(all, parseCount(ctx.query, PAGE_SIZE, PAGE_SIZE), ctx.query.get("cursor"));
    return cursor ? { entries: items, cursor } : { entries: items };
  };

  const retry = (ctx: RequestContext, entries: DlqEntry[]) => {
    const overrides = parsePublishOptions(ctx.headers);
    return entries.map((entry) => ({ messageId: retryDlqEntry(core, entry, overrides).messageId }));
  };

  return [
    route("GET", /^\/v2\/dlq\/?$/, (ctx) => {
      const { entries, cursor } = select(ctx);
      return json({ messages: entries.map(dlqJson), ...(cursor && { cursor }) });
    }),
    route("DELETE", /^\/v2\/dlq\/?$/, (ctx) => {
      const { entries, cursor } = select(ctx);
      for (const entry of entries) core.state.dlq.delete(entry.dlqId);
      core.changed();
      // Entries deleted from this page can't shift the next one: the cursor is a sequence number.
      return json({ deleted: entries.length, ...(cursor && { cursor }) });
    }),
    route("POST", /^\/v2\/dlq\/retry\/?$/, (ctx) => {
      const { entries, cursor } = select(ctx);
      return json({ responses: retry(ctx, entries), ...(cursor && { cursor }) });
    }),
    route("POST", /^\/v2\/dlq\/retry\/([^/]+)$/, (ctx, [id]) => json(retry(ctx, [find(id!)])[0], 201)),
    route("GET", /^\/v2\/dlq\/([^/]+)$/, (_ctx, [id]) => json(dlqJson(find(id!)))),
    route("DELETE", /^\/v2\/dlq\/([^/]+)$/, (_ctx, [id]) => {
      core.state.dlq.delete(find(id!).dlqId);
      core.changed();
      return empty();
    }),
  ];
}
