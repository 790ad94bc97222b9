/**
 * The local stack's notion of time. Every emulator reads time and schedules
 * timers through one of these, so tests can fast-forward hours of retry
 * backoff, delays and TTLs in a few milliseconds instead of sleeping.
 */
export interface StackClock {
  /** Current time, Unix epoch milliseconds. */
  now(): number;
  /** Run `fn` once `now()` reaches `atMs`. Returns a cancel function. */
  at(atMs: number, fn: () => void): () => void;
  /** Move time forward by `ms`, firing due timers in time order. Only manual clocks move. */
  advance(ms: number): Promise<void>;
  /** True when time only moves through `advance`/`set`. */
  readonly manual: boolean;
}

/** Wall-clock time with real timers (the default for `npm run dev`). */
export function systemClock(): StackClock {
  return {
    manual: false,
    now: () => Date.now(),
    at(atMs, fn) {
      // setTimeout caps at ~24.8 days; re-arm for longer waits.
      const MAX = 2 ** 31 - 1;
      let handle: NodeJS.Timeout;
      const arm = () => {
        const wait = atMs - Date.now();
        handle = setTimeout(wait > MAX ? arm : fn, Math.max(0, Math.min(wait, MAX)));
        handle.unref?.();
      };
      arm();
      return () => clearTimeout(handle);
    },
    async advance() {
      throw new Error("the system clock cannot be advanced; start the stack with a manual clock");
    },
  };
}

interface Timer {
  atMs: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/**
 * A clock that only moves when told to. `advance` fires timers one at a time in
 * order, letting pending promises settle between them, so work scheduled by a
 * timer (a retry scheduling the next retry) lands inside the same advance.
 */
export function manualClock(startMs = Date.UTC(2026, 0, 1)): StackClock & { set(ms: number): Promise<void> } {
  let current = startMs;
  let seq = 0;
  const timers: Timer[] = [];

  const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

  const clock = {
    manual: true as const,
    now: () => current,
    at(atMs: number, fn: () => void) {
      const timer: Timer = { atMs, seq: seq++, fn, cancelled: false };
      timers.push(timer);
      if (atMs <= current) queueMicrotask(() => fire(timer));
      return () => {
        timer.cancelled = true;
      };
    },
    async advance(ms: number) {
      await clock.set(current + ms);
    },
    async set(targetMs: number) {
      for (;;) {
        await settle();
        const due = timers.filter((t) => !t.cancelled && t.atMs <= targetMs).sort((a, b) => a.atMs - b.atMs || a.seq - b.seq)[0];
        if (!due) break;
        current = Math.max(current, due.atMs);
        fire(due);
      }
      current = Math.max(current, targetMs);
      await settle();
    },
  };

  function fire(timer: Timer) {
    if (timer.cancelled) return;
    timer.cancelled = true;
    const index = timers.indexOf(timer);
    if (index >= 0) timers.splice(index, 1);
    timer.fn();
  }

  return clock;
}
