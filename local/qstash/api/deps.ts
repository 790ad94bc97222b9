import type { Core } from "../core";
import type { Dispatcher } from "../dispatcher";

/** What every route module gets. */
export interface ApiDeps {
  core: Core;
  dispatcher: Dispatcher;
}

/** Items in creation order after `cursor`, `count` at a time; the next cursor only while more remain. */
export function page<T extends { seq: number }>(
  items: T[],
  count: number,
  cursor: string | null,
): { items: T[]; cursor?: string } {
  const after = cursor ? Number(cursor) : -Infinity;
  const rest = items.filter((item) => item.seq > after).sort((a, b) => a.seq - b.seq);
  const picked = rest.slice(0, count);
  return rest.length > count ? { items: picked, cursor: String(picked.at(-1)!.seq) } : { items: picked };
}
