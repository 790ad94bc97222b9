/**
 * The embedded engine's data: one Map of key → value and one of key → expiry
 * (ms since the epoch), owned here rather than by ioredis-mock.
 *
 * ioredis-mock's own store copies the whole value on every read and every write
 * (`get` returns a fresh Map/Set/array/object, `set` copies again), so a ZADD on
 * a 10k-member sorted set copied 20k entries. This store hands out the stored
 * value itself; the mock's commands already write back what they change, and
 * the commands implemented here mutate in place. Keeping the data here also lets
 * the engine snapshot it to disk (see snapshot.ts).
 *
 * Value shapes are the mock's, so its command functions keep working:
 * string (or Buffer for bytes that are not UTF-8), Array (list), Set, Map of
 * member → {score, value} (sorted set), plain object (hash), plus the types only
 * this engine has (streams, HyperLogLogs, JSON documents; see types.ts).
 */
export class Keyspace {
  readonly values = new Map<string, unknown>();
  readonly expiries = new Map<string, number>();
  /** When each key was created, in creation order: SCAN's cursor (see `scanFrom`). */
  readonly #created = new Map<string, number>();
  #nextCreated = 1;
  /** The clock expiry is judged by; ioredis-mock's commands use Date.now() too. */
  now: () => number = Date.now;

  has(key: string): boolean {
    this.#expireIfDue(key);
    return this.values.has(key);
  }

  get(key: string): unknown {
    this.#expireIfDue(key);
    return this.values.get(key);
  }

  set(key: string, value: unknown): void {
    if (!this.values.has(key)) this.#created.set(key, this.#nextCreated++);
    this.values.set(key, value);
  }

  /** Removes the key and its TTL. */
  delete(key: string): boolean {
    this.expiries.delete(key);
    this.#created.delete(key);
    return this.values.delete(key);
  }

  /**
   * Up to `count` live keys created at or after `cursor`, and the cursor for the
   * next page (0 once the walk is done). A key present for the whole walk keeps
   * its creation number, so it is returned exactly once, as SCAN promises.
   */
  scanFrom(cursor: number, count: number): { keys: string[]; next: number } {
    const keys: string[] = [];
    let examined = 0;
    for (const [key, created] of this.#created) {
      if (created < cursor) continue;
      if (examined === count) return { keys, next: created };
      examined++;
      if (!this.#isDue(key)) keys.push(key);
    }
    return { keys, next: 0 };
  }

  /** Live keys, in insertion order. */
  keys(): string[] {
    const live: string[] = [];
    for (const key of this.values.keys()) if (!this.#isDue(key)) live.push(key);
    return live;
  }

  clear(): void {
    this.values.clear();
    this.expiries.clear();
    this.#created.clear();
  }

  /** ms since the epoch, or undefined without a TTL. */
  expiry(key: string): number | undefined {
    return this.expiries.get(key);
  }

  setExpiry(key: string, at: number): void {
    this.expiries.set(key, at);
  }

  persist(key: string): boolean {
    return this.expiries.delete(key);
  }

  #isDue(key: string): boolean {
    const at = this.expiries.get(key);
    return at !== undefined && at <= this.now();
  }

  #expireIfDue(key: string): void {
    if (this.#isDue(key)) this.delete(key);
  }

  /** The `data` object ioredis-mock's commands call (`this.data.get(key)` …). */
  mockData(): object {
    const view = {
      clear: () => this.clear(),
      delete: (key: string) => void this.delete(key),
      get: (key: string) => this.get(key),
      has: (key: string) => this.has(key),
      keys: () => this.keys(),
      set: (key: string, value: unknown) => this.set(key, value),
      withKeyPrefix: () => view,
    };
    return view;
  }

  /** The `expires` object ioredis-mock's commands call. */
  mockExpires(): object {
    const view = {
      clear: () => this.expiries.clear(),
      get: (key: string) => this.expiries.get(key),
      set: (key: string, at: number) => void this.expiries.set(key, +at),
      has: (key: string) => this.expiries.has(key),
      isExpired: (key: string) => this.#isDue(key),
      delete: (key: string) => void this.expiries.delete(key),
      withKeyPrefix: () => view,
    };
    return view;
  }
}
