import { setMaxListeners } from "node:events";
import { Agent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import { sendAttempt } from "./attempt";
import type { Core } from "./core";
import { prepareDelivery } from "./delivery";
import type { MessageObserver } from "./message-store";
import { MinHeap } from "./min-heap";
import type { MessageRecord } from "./model";
import { applyOutcome } from "./outcome";
import { fireDueSchedules, nextScheduleAt } from "./schedules";

/** Deliveries in flight at once across all keys and queues; reported by `GET /v2/globalParallelism`. */
export const GLOBAL_PARALLELISM = 100;
/** How long a kept-alive socket to a destination may sit unused (undici picks the same 4 s). */
const IDLE_SOCKET_MS = 4_000;
/** Upper bound on the steps of one `idle()`/`advance()`, so a bug can't spin forever. */
const MAX_STEPS = 100_000;

/** Why a due message can't start yet: the limit holding it (a park key) and, for a rate limit, when its window ends. */
type Block = { park: string; rateWindowEndsAt?: number } | null;

const queuePark = (name: string) => `queue:${name}`;
const flowPark = (key: string) => `flow:${key}`;
/** Heap order: earliest next attempt first, publish order among equals (FIFO). */
const earlier = (a: MessageRecord, b: MessageRecord) =>
  a.nextAttemptAt < b.nextAttemptAt || (a.nextAttemptAt === b.nextAttemptAt && a.seq < b.seq);
/** Stale heap entries (cancelled or reset messages) tolerated before one compaction pass. */
const COMPACT_AFTER = 1_024;

/**
 * Decides what to deliver and when. Pending messages sit in a min-heap ordered
 * by next attempt time; a pump pops what is due and starts it, so a delivery
 * costs O(log n) however many messages wait. A due message a queue or
 * flow-control limit holds back is parked under that limit, and released one
 * at a time as the limit frees a slot (all at once when the limit's settings
 * change). Queue slots and flow-control deliveries in flight are counters kept
 * as messages start, finish or leave, never recounted. One wake-up timer on the
 * clock is armed for the earliest future due time (a delayed message, a retry,
 * a rate window, a schedule). The heap follows the message store through its
 * observer, so whoever adds or removes a message needs no extra call.
 */
export class Dispatcher implements MessageObserver {
  readonly #inFlight = new Map<string, Promise<void>>();
  readonly #abort = new AbortController();
  /**
   * Keep-alive sockets to destinations, closed with the server; saves a TCP handshake per
   * delivery. An idle socket is dropped before Node's servers drop theirs (`keepAliveTimeout`
   * 5 s), so a delivery after a quiet spell rarely meets a socket closed under it.
   */
  readonly #agents = {
    http: new Agent({ keepAlive: true, maxSockets: GLOBAL_PARALLELISM, timeout: IDLE_SOCKET_MS }),
    https: new HttpsAgent({ keepAlive: true, maxSockets: GLOBAL_PARALLELISM, timeout: IDLE_SOCKET_MS }),
  };
  /** Pending messages not in flight and not parked. Entries for removed messages are skipped lazily. */
  readonly #due = new MinHeap<MessageRecord>(earlier);
  #stale = 0;
  /** Due messages a queue or flow-control limit holds back, per limit, earliest first. */
  readonly #parked = new Map<string, MinHeap<MessageRecord>>();
  /** Messages just released from a park: if a different limit holds one, the next in its old park gets the turn. */
  readonly #releasedFrom = new Map<MessageRecord, string>();
  /** Flow-control key → end of the rate window its parked messages wait for. */
  readonly #rateWindows = new Map<string, number>();
  /** Queue name → messages holding a slot (started and not finished). */
  readonly #queueSlots = new Map<string, number>();
  /** Flow-control key → deliveries in flight. */
  readonly #flowInFlight = new Map<string, number>();
  #wake: { atMs: number; cancel: () => void } | undefined;
  #pumpQueued = false;
  #closed = false;

  constructor(private readonly core: Core) {
    // Every attempt in flight listens for shutdown on this one signal, and so does a duplicate copy of it (faults.ts).
    setMaxListeners(2 * (GLOBAL_PARALLELISM + 10), this.#abort.signal);
    const { messages } = core.state;
    messages.observer = this;
    // Messages reloaded from the data file: a started queue message still holds its slot.
    for (const message of messages.values()) {
      if (message.started && message.queueName) bump(this.#queueSlots, message.queueName, 1);
      this.#due.push(message);
    }
  }

  get inFlightCount(): number {
    return this.#inFlight.size;
  }

  isInFlight(messageId: string): boolean {
    return this.#inFlight.has(messageId);
  }

  added(message: MessageRecord): void {
    if (!this.#inFlight.has(message.messageId)) this.#due.push(message);
  }

  removed(message: MessageRecord): void {
    if (message.started && message.queueName) {
      bump(this.#queueSlots, message.queueName, -1);
      this.#release(queuePark(message.queueName), 1);
    }
    if (!this.#inFlight.has(message.messageId) && ++this.#stale > COMPACT_AFTER && this.#stale > this.#due.size / 2)
      this.#compact();
  }

  cleared(): void {
    this.#due.drain();
    this.#parked.clear();
    this.#releasedFrom.clear();
    this.#rateWindows.clear();
    this.#queueSlots.clear();
    this.#stale = 0;
  }

  /** A queue's or flow-control key's settings changed (pause, resume, parallelism, rate): every parked message is looked at again. */
  limitsChanged(): void {
    for (const park of [...this.#parked.keys()]) this.#release(park, Infinity);
    this.#rateWindows.clear();
    this.requestPump();
  }

  /** Coalesces many state changes in one tick into a single pump. */
  requestPump(): void {
    if (this.#pumpQueued || this.#closed) return;
    this.#pumpQueued = true;
    queueMicrotask(() => {
      this.#pumpQueued = false;
      this.pump();
    });
  }

  pump(): void {
    if (this.#closed) return;
    const { core } = this;
    const now = core.clock.now();
    fireDueSchedules(core, now);
    this.#openRateWindows(now);
    while (this.#inFlight.size < GLOBAL_PARALLELISM) {
      const message = this.#peekDue();
      if (!message || message.nextAttemptAt > now) break;
      this.#due.pop();
      const from = this.#releasedFrom.get(message);
      if (from !== undefined) this.#releasedFrom.delete(message);
      const block = this.#block(message, now);
      if (block === null) {
        this.#start(message, now);
        continue;
      }
      this.#park(block.park, message);
      if (block.rateWindowEndsAt !== undefined) this.#rateWindows.set(message.flowControl!.key, block.rateWindowEndsAt);
      // Released by one limit but held by another: the first limit's free slot goes to the next in line.
      if (from !== undefined && from !== block.park) this.#release(from, 1);
    }
    this.#armWake(now);
  }

  /** True when something could start right now (nothing blocks it). */
  hasStartableWork(): boolean {
    const now = this.core.clock.now();
    if ((nextScheduleAt(this.core) ?? Infinity) <= now) return true;
    for (const endsAt of this.#rateWindows.values()) if (endsAt <= now) return true;
    // After a pump, a due message still in the heap is one nothing but global parallelism holds back.
    const message = this.#peekDue();
    return message !== undefined && message.nextAttemptAt <= now;
  }

  /** Resolves once nothing is in flight and nothing is due at the clock's current time. */
  async idle(): Promise<void> {
    for (let step = 0; step < MAX_STEPS; step++) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      this.pump();
      if (this.#inFlight.size === 0 && !this.hasStartableWork()) return;
      if (this.#inFlight.size > 0) await Promise.race(this.#inFlight.values());
    }
    throw new Error("local/qstash idle(): still busy after too many steps");
  }

  /**
   * Moves the clock forward in steps, stopping at each of our due times on the
   * way, and lets every delivery they trigger finish before the next step, so
   * a retry that falls due inside the window is delivered inside it too.
   */
  async advance(ms: number): Promise<void> {
    const { clock } = this.core;
    if (!clock.manual) throw new Error("advance() needs a manual clock; start the server with clock: manualClock()");
    const target = clock.now() + Math.max(0, ms);
    for (let step = 0; step < MAX_STEPS; step++) {
      await this.idle();
      const next = this.nextWakeAt(clock.now());
      if (next === undefined || next > target) break;
      await clock.advance(Math.max(0, next - clock.now()));
    }
    if (clock.now() < target) await clock.advance(target - clock.now());
    await this.idle();
  }

  /** Earliest future time at which something becomes due. */
  nextWakeAt(now: number): number | undefined {
    let next = nextScheduleAt(this.core);
    const consider = (atMs: number) => {
      if (atMs > now && (next === undefined || atMs < next)) next = atMs;
    };
    const message = this.#peekDue();
    if (message) consider(message.nextAttemptAt);
    for (const endsAt of this.#rateWindows.values()) consider(endsAt);
    return next;
  }

  /** Stops new work and aborts attempts in flight; they stay pending in state and run again after a restart. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#wake?.cancel();
    this.#abort.abort();
    await Promise.allSettled(this.#inFlight.values());
    this.#agents.http.destroy();
    this.#agents.https.destroy();
  }

  /** The earliest pending message in the heap, dropping entries whose message left or is in flight. */
  #peekDue(): MessageRecord | undefined {
    for (;;) {
      const message = this.#due.peek();
      if (!message || this.#isWaiting(message)) return message;
      this.#due.pop();
      this.#stale = Math.max(0, this.#stale - 1);
      // A message released from a park and gone since: its turn passes to the next in that park.
      const from = this.#releasedFrom.get(message);
      if (from !== undefined) {
        this.#releasedFrom.delete(message);
        this.#release(from, 1);
      }
    }
  }

  #isWaiting(message: MessageRecord): boolean {
    return (
      this.core.state.messages.get(message.messageId) === message &&
      !this.#inFlight.has(message.messageId) &&
      !message.cancelRequested
    );
  }

  #park(park: string, message: MessageRecord): void {
    let heap = this.#parked.get(park);
    if (!heap) this.#parked.set(park, (heap = new MinHeap(earlier)));
    heap.push(message);
  }

  /** Moves up to `count` parked messages back into the heap; the next pump decides whether they start. */
  #release(park: string, count: number): void {
    const heap = this.#parked.get(park);
    if (!heap) return;
    let released = 0;
    while (released < count && heap.size > 0) {
      const message = heap.pop()!;
      if (!this.#isWaiting(message)) continue;
      this.#releasedFrom.set(message, park);
      this.#due.push(message);
      released++;
    }
    if (heap.size === 0) this.#parked.delete(park);
    if (released > 0) this.requestPump();
  }

  /** A flow-control key's rate window ended: as many parked messages as the rate allows get another look. */
  #openRateWindows(now: number): void {
    for (const [key, endsAt] of this.#rateWindows) {
      if (endsAt > now) continue;
      this.#rateWindows.delete(key);
      this.#release(flowPark(key), this.core.state.flowControl.get(key)?.rate ?? Infinity);
    }
  }

  /** Drops entries of messages that left, once they are a good share of the heap and parks. */
  #compact(): void {
    const waiting = (message: MessageRecord) => this.#isWaiting(message);
    this.#due.retain(waiting);
    for (const [park, heap] of this.#parked) {
      heap.retain(waiting);
      if (heap.size === 0) this.#parked.delete(park);
    }
    for (const message of [...this.#releasedFrom.keys()]) if (!waiting(message)) this.#releasedFrom.delete(message);
    this.#stale = 0;
  }

  #block(message: MessageRecord, now: number): Block {
    const { state } = this.core;
    if (message.queueName) {
      const queue = state.queues.get(message.queueName);
      if (queue?.paused) return { park: queuePark(message.queueName) };
      // A started message keeps its slot through its retries: strict FIFO at parallelism 1.
      if (!message.started && (this.#queueSlots.get(message.queueName) ?? 0) >= (queue?.parallelism ?? 1))
        return { park: queuePark(message.queueName) };
    }
    const key = message.flowControl?.key;
    const flow = key ? state.flowControl.get(key) : undefined;
    if (key && flow) {
      if (flow.isPaused) return { park: flowPark(key) };
      if (flow.parallelism !== undefined && (this.#flowInFlight.get(key) ?? 0) >= flow.parallelism)
        return { park: flowPark(key) };
      const periodEnd = flow.ratePeriodStart + flow.periodSeconds * 1_000;
      if (flow.rate !== undefined && now < periodEnd && flow.rateCount >= flow.rate)
        return { park: flowPark(key), rateWindowEndsAt: periodEnd };
    }
    return null;
  }

  #start(message: MessageRecord, now: number): void {
    const { core } = this;
    if (message.queueName && !message.started) bump(this.#queueSlots, message.queueName, 1);
    const key = message.flowControl?.key;
    const flow = key ? core.state.flowControl.get(key) : undefined;
    if (key && flow) {
      bump(this.#flowInFlight, key, 1);
      if (now >= flow.ratePeriodStart + flow.periodSeconds * 1_000) {
        flow.ratePeriodStart = now;
        flow.rateCount = 0;
      }
      flow.rateCount += 1;
    }
    const countedFlow = key && flow ? key : undefined;
    message.started = true;
    message.state = "ACTIVE";
    core.log.record("ACTIVE", message, now);
    const prepared = prepareDelivery(core, message);
    const timeoutMs = message.timeoutMs ?? core.config.defaultTimeoutMs;
    const run = sendAttempt({ ...prepared, timeoutMs, signal: this.#abort.signal, agents: this.#agents })
      .then((result) => {
        if (this.#closed) return; // Shutting down: leave it pending so the next start retries it.
        applyOutcome(core, message, result);
      })
      .catch((error: unknown) => console.error("[local/qstash] delivery bookkeeping failed:", error))
      .finally(() => {
        this.#inFlight.delete(message.messageId);
        if (countedFlow !== undefined) {
          bump(this.#flowInFlight, countedFlow, -1);
          this.#release(flowPark(countedFlow), 1);
        }
        // Still pending after its outcome: a retry, due at its new next attempt time.
        if (!this.#closed && this.#isWaiting(message)) this.#due.push(message);
        this.requestPump();
      });
    this.#inFlight.set(message.messageId, run);
    core.faults.onAttempt(message.messageId, () =>
      sendAttempt({ ...prepareDelivery(core, message), timeoutMs, signal: this.#abort.signal, agents: this.#agents }),
    );
    core.changed();
  }

  #armWake(now: number): void {
    const next = this.nextWakeAt(now);
    if (this.#wake && this.#wake.atMs === next) return;
    this.#wake?.cancel();
    this.#wake = undefined;
    if (next === undefined) return;
    const cancel = this.core.clock.at(next, () => {
      if (this.#wake?.atMs === next) this.#wake = undefined;
      this.pump();
    });
    this.#wake = { atMs: next, cancel };
  }
}

/** Adds `delta` to a counter, dropping it at zero so idle keys leave no entry behind. */
function bump(counts: Map<string, number>, key: string, delta: number): void {
  const value = (counts.get(key) ?? 0) + delta;
  if (value > 0) counts.set(key, value);
  else counts.delete(key);
}
