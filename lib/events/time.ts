/** Time-zone helpers with Intl only (no library, Edge-safe). */

/** Whether this runtime's Intl knows `zone` as a time zone (an IANA name such as "Asia/Ulaanbaatar", or "UTC"). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function offsetMs(epochMs: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(epochMs);
  const get = (type: string) => Number(parts.find((part) => part.type === type)?.value);
  const asUtc = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return asUtc - Math.floor(epochMs / 1000) * 1000;
}

/**
 * `2026-01-15T14:00` read as a wall-clock time in `timeZone` → epoch ms, or null
 * when the text isn't a date-time. (A time skipped by a DST jump lands just after it.)
 */
export function zonedLocalToUtc(local: string, timeZone: string): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(local.trim());
  if (!match) return null;
  const [year, month, day, hour, minute, second = "0"] = match.slice(1).map((part) => part ?? "0");
  const wall = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second));
  if (!Number.isFinite(wall)) return null;
  let guess = wall - offsetMs(wall, timeZone);
  // A second pass settles times near an offset change.
  guess = wall - offsetMs(guess, timeZone);
  return guess;
}

/** epoch ms → `2026-01-15T14:00` in `timeZone` (the value an <input type="datetime-local"> takes). */
export function utcToZonedLocal(epochMs: number, timeZone: string): string {
  const shifted = new Date(epochMs + offsetMs(epochMs, timeZone));
  return shifted.toISOString().slice(0, 16);
}

/**
 * The long English date and time used in emails and pages, "Thursday, 15 January 2026 at 14:00",
 * in `timeZone`. Explicit fields and a 23-hour clock (not `dateStyle`) keep the text fixed for a given instant.
 */
export function longDateTimeFormat(timeZone: string): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat("en-GB", {
    timeZone,
    weekday: "long",
    day: "numeric",
    month: "long",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  });
}

/** A deterministic, zone-explicit rendering for emails and pages: "Thursday, 15 January 2026 at 14:00 (Asia/Ulaanbaatar)". */
export function formatInZone(epochMs: number, timeZone: string): string {
  const text = longDateTimeFormat(timeZone).format(epochMs);
  return `${text} (${timeZone})`;
}
