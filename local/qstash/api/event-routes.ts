import { COMMON_FILTER_FIELDS, parseCount, parseFilter } from "../filters";
import { json } from "../http";
import { route, type Route } from "../router";
import type { ApiDeps } from "./deps";

const EVENT_FILTERS = [...COMMON_FILTER_FIELDS, "state", "host", "path"] as const;

/**
 * §11. The SDK calls /v2/events and reads `events`; the API reference says
 * /v2/logs and `logs`. Both paths answer with both keys.
 */
export function eventRoutes({ core }: ApiDeps, keys: { current: string; next: string }): Route[] {
  return [
    route("GET", /^\/v2\/keys\/?$/, () => json({ current: keys.current, next: keys.next })),
    route("GET", /^\/v2\/(?:events|logs)\/?$/, (ctx) => {
      const filter = parseFilter(ctx.query, EVENT_FILTERS, ["count", "cursor", "messageIds"]);
      const ids = ctx.query
        .getAll("messageIds")
        .flatMap((value) => value.split(","))
        .filter(Boolean);
      const { events, cursor } = core.log.query(
        filter,
        parseCount(ctx.query, 100, 1_000),
        ctx.query.get("cursor") ?? undefined,
        ids.length > 0 ? ids : undefined,
      );
      return json({ events, logs: events, ...(cursor && { cursor }) });
    }),
  ];
}
