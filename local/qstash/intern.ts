import type { HeaderMap } from "./header-map";

/** Distinct values remembered per kind; past this the table starts over, which only costs sharing, never correctness. */
const MAX_ENTRIES = 4_096;

/**
 * Shares equal values between messages: a burst of jobs to one route repeats
 * the same URL, failure callback, caller IP, labels and header map thousands
 * of times, and each copy would otherwise live in the heap until delivery.
 * Shared objects are frozen, since every message that holds one sees it.
 */
export class Interner {
  readonly #strings = new Map<string, string>();
  readonly #headers = new Map<string, HeaderMap>();
  readonly #lists = new Map<string, readonly string[]>();

  string<T extends string | undefined>(value: T): T {
    if (value === undefined) return value;
    return remember(this.#strings, value, value) as T;
  }

  headers(header: HeaderMap): HeaderMap {
    const key = JSON.stringify(header);
    const known = this.#headers.get(key);
    if (known) return known;
    const shared = Object.freeze(
      Object.fromEntries(
        Object.entries(header).map(([name, values]) => [
          this.string(name),
          Object.freeze(values.map((value) => this.string(value))),
        ]),
      ),
    );
    return remember(this.#headers, key, shared as HeaderMap);
  }

  list(values: readonly string[]): string[] {
    const key = JSON.stringify(values);
    return remember(this.#lists, key, Object.freeze(values.map((value) => this.string(value)))) as string[];
  }
}

function remember<T>(table: Map<string, T>, key: string, value: T): T {
  const known = table.get(key);
  if (known !== undefined) return known;
  if (table.size >= MAX_ENTRIES) table.clear();
  table.set(key, value);
  return value;
}
