import { parseDestination } from "../destination";
import { empty, json } from "../http";
import { route, type Route } from "../router";
import { getSchedule, scheduleJson, setSchedulePaused, upsertSchedule } from "../schedules";
import type { ApiDeps } from "./deps";

/** §10 schedules. Pause/resume take PATCH (what the SDK sends) and POST (what the docs say). */
export function scheduleRoutes({ core }: ApiDeps): Route[] {
  return [
    // A schedule id never contains ':' and a URL destination always does, so these can't swallow a create.
    route(["PATCH", "POST"], /^\/v2\/schedules\/([^/:]+)\/(pause|resume)$/, (_ctx, [id, action]) => {
      setSchedulePaused(core, id!, action === "pause");
      return empty();
    }),
    route(
      "POST",
      /^\/v2\/schedules\/(.+)$/,
      (ctx, [raw]) => {
        const destination = parseDestination(raw!, ctx.rawQuery);
        const scheduleId = upsertSchedule(core, {
          destination: destination.kind === "url" ? destination.url : destination.name,
          headers: ctx.headers,
          body: ctx.body,
          callerIp: ctx.callerIp,
        });
        return json({ scheduleId });
      },
      true,
    ),
    route("GET", /^\/v2\/schedules\/?$/, () =>
      json([...core.state.schedules.values()].sort((a, b) => a.createdAt - b.createdAt).map(scheduleJson)),
    ),
    route("GET", /^\/v2\/schedules\/([^/]+)$/, (_ctx, [id]) => json(scheduleJson(getSchedule(core, id!)))),
    route("DELETE", /^\/v2\/schedules\/([^/]+)$/, (_ctx, [id]) => {
      core.state.schedules.delete(getSchedule(core, id!).scheduleId);
      core.changed();
      return empty();
    }),
  ];
}
