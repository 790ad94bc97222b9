import { setMaxListeners } from "node:events";
import { Agent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import { sendAttempt } from "./attempt";
import type { Core } from "./core";
import { prepareDelivery } from "./delivery";
import type { MessageRecord } from "./model";
import { applyOutcome } from "./outcome";
import { fireDueSchedules, nextScheduleAt } from "./schedules";

/** Deliveries in flight at once across all keys and queues; reported by `GET /v2/globalParallelism`. */
export const GLOBAL_PARALLELISM = 100;
/** Upper bound on the steps of one `idle()`/`advance()`, so a bug can't spin forever. */
const MAX_STEPS = 100_000;

interface Counts {
  /** Queue name → messages holding a slot (started and not finished). */
  queueSlots: Map<string, number>;
  /** Flow-control key → deliveries in flight. */
  flowInFlight: Map<string, number>;
}

type Block = { reason: "paused" | "full" } | { reason: "rate"; untilMs: number } | null;

/**
 * Decides what to deliver and when. One wake-up timer on the clock, armed for
 * the earliest future due time (a delayed message, a retry, a rate window, a
 * schedule); each wake-up, finished attempt or state change runs `pump()`,
 * which starts everything that may start now in (due time, publish order).
 * Nothing else keeps timers, so reloading state after a restart needs no re-arming
 * beyond one pump.
 */
export class Dispatcher {
  readonly #inFlight = new Map<string, Promise<void>>();
  readonly #abort = new AbortController();
  /** Keep-alive sockets to destinations, closed with the server; saves a TCP handshake per delivery. */
  readonly #agents = {
    http: new Agent({ keepAlive: true, maxSockets: GLOBAL_PARALLELISM }),
    https: new HttpsAgent({ keepAlive: true, maxSockets: GLOBAL_PARALLELISM }),
  };
  #wake: { atMs: number; cancel: () => void } | undefined;
  #pumpQueued = false;
  #closed = false;

  constructor(private readonly core: Core) {
    // Every attempt in flight listens for shutdown on this one signal.
    setMaxListeners(GLOBAL_PARALLELISM + 10, this.#abort.signal);
  }

  get inFlightCount(): number {
    return this.#inFlight.size;
  }

  isInFlight(messageId: string): boolean {
    return this.#inFlight.has(messageId);
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
    const counts = this.#counts();
    for (const message of this.#readyMessages(now)) {
      if (this.#inFlight.size >= GLOBAL_PARALLELISM) break;
      if (this.#block(message, now, counts) !== null) continue;
      this.#start(message, now, counts);
    }
    this.#armWake(now);
  }

  /** True when something could start right now (nothing blocks it). */
  hasStartableWork(): boolean {
    const now = this.core.clock.now();
    const counts = this.#counts();
    if ((nextScheduleAt(this.core) ?? Infinity) <= now) return true;
    return this.#readyMessages(now).some((message) => this.#block(message, now, counts) === null);
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
    const counts = this.#counts();
    for (const message of this.core.state.messages.values()) {
      if (this.#inFlight.has(message.messageId) || message.cancelRequested) continue;
      if (message.nextAttemptAt > now) consider(message.nextAttemptAt);
      else {
        const block = this.#block(message, now, counts);
        if (block?.reason === "rate") consider(block.untilMs);
      }
    }
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

  #readyMessages(now: number): MessageRecord[] {
    return [...this.core.state.messages.values()]
      .filter((message) => !this.#inFlight.has(message.messageId) && !message.cancelRequested && message.nextAttemptAt <= now)
      .sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || a.seq - b.seq);
  }

  /** Live usage: queue slots held (started, unfinished) and deliveries in flight per flow-control key. */
  #counts(): Counts {
    const queueSlots = new Map<string, number>();
    const flowInFlight = new Map<string, number>();
    for (const message of this.core.state.messages.values()) {
      if (message.queueName && message.started) queueSlots.set(message.queueName, (queueSlots.get(message.queueName) ?? 0) + 1);
      const key = message.flowControl?.key;
      if (key && this.#inFlight.has(message.messageId)) flowInFlight.set(key, (flowInFlight.get(key) ?? 0) + 1);
    }
    return { queueSlots, flowInFlight };
  }

  #block(message: MessageRecord, now: number, counts: Counts): Block {
    const { state } = this.core;
    if (message.queueName) {
      const queue = state.queues.get(message.queueName);
      if (queue?.paused) return { reason: "paused" };
      // A started message keeps its slot through its retries: strict FIFO at parallelism 1.
      if (!message.started && (counts.queueSlots.get(message.queueName) ?? 0) >= (queue?.parallelism ?? 1)) return { reason: "full" };
    }
    const key = message.flowControl?.key;
    const flow = key ? state.flowControl.get(key) : undefined;
    if (key && flow) {
      if (flow.isPaused) return { reason: "paused" };
      if (flow.parallelism !== undefined && (counts.flowInFlight.get(key) ?? 0) >= flow.parallelism) return { reason: "full" };
      const periodEnd = flow.ratePeriodStart + flow.periodSeconds * 1_000;
      if (flow.rate !== undefined && now < periodEnd && flow.rateCount >= flow.rate) return { reason: "rate", untilMs: periodEnd };
    }
    return null;
  }

  #start(message: MessageRecord, now: number, counts: Counts): void {
    const { core } = this;
    if (message.queueName && !message.started) counts.queueSlots.set(message.queueName, (counts.queueSlots.get(message.queueName) ?? 0) + 1);
    const key = message.flowControl?.key;
    const flow = key ? core.state.flowControl.get(key) : undefined;
    if (key && flow) {
      counts.flowInFlight.set(key, (counts.flowInFlight.get(key) ?? 0) + 1);
      if (now >= flow.ratePeriodStart + flow.periodSeconds * 1_000) {
        flow.ratePeriodStart = now;
        flow.rateCount = 0;
      }
      flow.rateCount += 1;
    }
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
        this.requestPump();
      });
    this.#inFlight.set(message.messageId, run);
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
