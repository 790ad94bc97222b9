import { parseDurationMs } from "../duration";
import { badRequest, notFound } from "../errors";
import { empty, json } from "../http";
import type { FlowControlRecord } from "../model";
import { GLOBAL_PARALLELISM } from "../dispatcher";
import { route, type Route } from "../router";
import type { ApiDeps } from "./deps";

/** §8 flow-control API: inspect keys and steer them. Limits themselves are enforced by the dispatcher. */
export function flowControlRoutes({ core, dispatcher }: ApiDeps): Route[] {
  const find = (key: string): FlowControlRecord => {
    const record = core.state.flowControl.get(key);
    if (!record) throw notFound(`flow control key ${key} not found`);
    return record;
  };
  /** Actions may name a key before any message used it (pause first, publish later). */
  const findOrCreate = (key: string): FlowControlRecord => {
    const existing = core.state.flowControl.get(key);
    if (existing) return existing;
    const record: FlowControlRecord = {
      key,
      periodSeconds: 1,
      isPaused: false,
      pinnedParallelism: false,
      pinnedRate: false,
      rateCount: 0,
      ratePeriodStart: core.clock.now(),
    };
    core.state.flowControl.set(key, record);
    return record;
  };
  const view = (record: FlowControlRecord) => {
    const pending = [...core.state.messages.values()].filter((message) => message.flowControl?.key === record.key);
    const inFlight = pending.filter((message) => dispatcher.isInFlight(message.messageId)).length;
    const periodOver = core.clock.now() >= record.ratePeriodStart + record.periodSeconds * 1_000;
    return {
      flowControlKey: record.key,
      waitListSize: pending.length - inFlight,
      parallelismMax: record.parallelism ?? 0,
      parallelismCount: inFlight,
      rateMax: record.rate ?? 0,
      rateCount: periodOver ? 0 : record.rateCount,
      ratePeriod: record.periodSeconds,
      ratePeriodStart: record.ratePeriodStart,
      isPaused: record.isPaused,
      isPinnedParallelism: record.pinnedParallelism,
      isPinnedRate: record.pinnedRate,
    };
  };

  return [
    route("GET", /^\/v2\/globalParallelism\/?$/, () =>
      json({ parallelismMax: GLOBAL_PARALLELISM, parallelismCount: dispatcher.inFlightCount }),
    ),
    route("GET", /^\/v2\/flowControl\/?$/, () => json([...core.state.flowControl.values()].map(view))),
    route("GET", /^\/v2\/flowControl\/([^/]+)$/, (_ctx, [key]) => json(view(find(key!)))),
    route("POST", /^\/v2\/flowControl\/([^/]+)\/(pause|resume|pin|unpin|resetRate)$/, (ctx, [key, action]) => {
      const record = findOrCreate(key!);
      const query = ctx.query;
      switch (action) {
        case "pause":
        case "resume":
          record.isPaused = action === "pause";
          break;
        case "resetRate":
          record.rateCount = 0;
          record.ratePeriodStart = core.clock.now();
          break;
        case "pin": {
          const parallelism = optionalPositive(query.get("parallelism"), "parallelism");
          const rate = optionalPositive(query.get("rate"), "rate");
          const period = query.get("period");
          if (parallelism !== undefined) Object.assign(record, { parallelism, pinnedParallelism: true });
          if (rate !== undefined) Object.assign(record, { rate, pinnedRate: true });
          if (period) record.periodSeconds = Math.max(1, Math.round(parseDurationMs(period, "period") / 1_000));
          break;
        }
        case "unpin":
          if (query.get("parallelism") === "true") record.pinnedParallelism = false;
          if (query.get("rate") === "true") record.pinnedRate = false;
          break;
      }
      core.limitsChanged();
      return empty();
    }),
  ];
}

function optionalPositive(value: string | null, name: string): number | undefined {
  if (value === null || value === "") return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw badRequest(`invalid ${name}: ${JSON.stringify(value)}`);
  return number;
}
