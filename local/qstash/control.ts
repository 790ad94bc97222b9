import type { Core } from "./core";
import { renderDashboardFragment, renderDashboardPage } from "./dashboard";
import type { Dispatcher } from "./dispatcher";
import { ApiError, badRequest } from "./errors";
import { json, type Reply } from "./http";
import { route, type Route } from "./router";
import { stateSnapshot } from "./snapshot";
import { parseJsonBody } from "./body";

/**
 * `/__stack/*` and the dashboard: controls for tests and people, kept off
 * /v2 so nothing the SDK can call reaches them. The server only lets them
 * through without a token over loopback.
 */
export function controlRoutes(core: Core, dispatcher: Dispatcher, reset: () => void): Route[] {
  const html = (rendered: { html: string; headers?: Record<string, string> }): Reply => ({ status: 200, ...rendered });
  return [
    route("GET", /^\/$/, () => html(renderDashboardPage(stateSnapshot(core, dispatcher)))),
    route("GET", /^\/__stack\/dashboard$/, () => html({ html: renderDashboardFragment(stateSnapshot(core, dispatcher)) })),
    route("GET", /^\/__stack\/state$/, () => json(stateSnapshot(core, dispatcher))),
    route("GET", /^\/__stack\/clock$/, () => json({ now: core.clock.now(), manual: core.clock.manual })),
    route("POST", /^\/__stack\/clock\/advance$/, async (ctx) => {
      if (!core.clock.manual)
        throw new ApiError(409, "the clock is the system clock; start the server with a manual clock to advance it");
      const body = parseJsonBody(ctx.body) as { ms?: unknown } | null;
      const ms = body?.ms;
      if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0)
        throw badRequest('body must be {"ms": <non-negative number>}');
      await dispatcher.advance(ms);
      return json({ now: core.clock.now() });
    }),
    route("POST", /^\/__stack\/idle$/, async () => {
      await dispatcher.idle();
      return json({ now: core.clock.now() });
    }),
    route("POST", /^\/__stack\/reset$/, () => {
      reset();
      return json({ reset: true });
    }),
  ];
}
