import { CronExpressionParser } from "cron-parser";
import { badRequest } from "./errors";

export interface ParsedCron {
  /** The five fields. */
  expression: string;
  /** IANA zone from a `CRON_TZ=` prefix; UTC otherwise. */
  timeZone: string;
}

/**
 * `Upstash-Cron`: five fields (one-minute resolution), optionally prefixed
 * with `CRON_TZ=<IANA zone> ` (`TZ=` is accepted too). cron-parser also takes
 * seconds fields and macros, which QStash does not, so those are refused here.
 */
export function parseCron(cron: string): ParsedCron {
  let text = cron.trim();
  let timeZone = "UTC";
  const prefix = /^(?:CRON_TZ|TZ)=(\S+)\s+/.exec(text);
  if (prefix) {
    timeZone = prefix[1]!;
    text = text.slice(prefix[0].length);
    try {
      new Intl.DateTimeFormat("en-US", { timeZone });
    } catch {
      throw badRequest(`invalid Upstash-Cron ${JSON.stringify(cron)}: unknown time zone ${JSON.stringify(timeZone)}`);
    }
  }
  const fields = text.split(/\s+/).filter(Boolean);
  if (fields.length !== 5)
    throw badRequest(`invalid Upstash-Cron ${JSON.stringify(cron)}: want 5 fields (minute hour day month weekday)`);
  const expression = fields.join(" ");
  try {
    CronExpressionParser.parse(expression, { tz: timeZone, strict: false }).next();
  } catch (error) {
    throw badRequest(`invalid Upstash-Cron ${JSON.stringify(cron)}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { expression, timeZone };
}

/** The first firing strictly after `afterMs`, in ms. */
export function nextCronTime(cron: string, afterMs: number): number {
  const { expression, timeZone } = parseCron(cron);
  return CronExpressionParser.parse(expression, { currentDate: new Date(afterMs), tz: timeZone })
    .next()
    .getTime();
}
