/**
 * Fault injection for the QStash look-alike, so producers and handlers can be
 * tested against what the real service does on a bad day:
 *
 * - duplicates: a share of deliveries go out twice. QStash is at-least-once; a
 *   handler must turn that into one effect. Half the copies go out at once (two
 *   attempts of one message in flight together), half `laterMs` afterwards (a
 *   redelivery after the first one may already have finished). A copy carries
 *   the same message id and body with a fresh signature, and its answer is
 *   ignored: it changes no message state, as a stray redelivery wouldn't.
 * - publishOutage: the publish API (`/v2/publish`, `/v2/enqueue`, `/v2/batch`)
 *   answers 5xx or drops connections for a window, while deliveries go on.
 *
 * Every fault actually applied is counted in `injected` and emitted as a
 * "fault" event on the server's emitter.
 */
import type { EventEmitter } from "node:events";
import type { StackClock } from "../clock";
import { OutageSwitch, parseOutageConfig, type ActiveOutage, type OutageConfig, type OutageFailure } from "../outage";
import { badRequest } from "./errors";
import { json } from "./http";
import { route, type Route } from "./router";
import { parseJsonBody } from "./body";

export interface DuplicateConfig {
  /** Share of delivery attempts that get a second copy, in [0, 1]. */
  rate: number;
  /** Delay of the "later" copies, ms of the server's clock. @default 1000 */
  laterMs?: number;
}

export interface QStashFaultConfig {
  duplicates?: DuplicateConfig;
  publishOutage?: OutageConfig;
}

export interface QStashFaultState {
  duplicates?: DuplicateConfig;
  publishOutage?: ActiveOutage;
  injected: {
    duplicatesAtOnce: number;
    duplicatesLater: number;
    publishErrors: number;
    publishRefused: number;
    publishOutages: number;
  };
}

export type QStashFaultEvent =
  | { kind: "duplicate"; when: "at-once" | "later"; messageId: string }
  | { kind: "publish"; failure: OutageFailure };

const PUBLISH_PATH = /^\/v2\/(publish|enqueue|batch)(\/|$)/;

function parseQStashFaultConfig(input: unknown): QStashFaultConfig {
  if (typeof input !== "object" || input === null || Array.isArray(input)) throw new Error("body must be a JSON object");
  const config = input as Record<string, unknown>;
  for (const key of Object.keys(config))
    if (key !== "duplicates" && key !== "publishOutage") throw new Error(`unknown fault "${key}"`);
  const result: QStashFaultConfig = {};
  if (config.duplicates !== undefined) {
    const duplicates = config.duplicates as Record<string, unknown> | null;
    if (typeof duplicates !== "object" || duplicates === null) throw new Error("duplicates must be an object");
    const { rate, laterMs } = duplicates;
    if (typeof rate !== "number" || !(rate >= 0 && rate <= 1)) throw new Error("duplicates.rate must be a number from 0 to 1");
    if (laterMs !== undefined && (!Number.isInteger(laterMs) || (laterMs as number) < 0))
      throw new Error("duplicates.laterMs must be a non-negative integer");
    result.duplicates = { rate, ...(laterMs !== undefined && { laterMs: laterMs as number }) };
  }
  if (config.publishOutage !== undefined) result.publishOutage = parseOutageConfig(config.publishOutage, "publishOutage");
  return result;
}

export class QStashFaults {
  #duplicates: DuplicateConfig | undefined;
  readonly #publish: OutageSwitch;
  readonly #copies = new Set<Promise<unknown>>();
  readonly #pendingLater = new Set<() => void>();
  #copiesAtOnce = 0;
  #copiesLater = 0;

  constructor(
    private readonly clock: StackClock,
    private readonly events: EventEmitter,
    private readonly random: () => number = Math.random,
  ) {
    this.#publish = new OutageSwitch(() => clock.now(), random);
  }

  /** Adds to the active faults: each key given replaces that fault (validated like `POST /__stack/faults`). */
  set(input: QStashFaultConfig): QStashFaultState {
    const config = parseQStashFaultConfig(input);
    if (config.duplicates) this.#duplicates = config.duplicates.rate > 0 ? config.duplicates : undefined;
    if (config.publishOutage) this.#publish.start(config.publishOutage);
    return this.state();
  }

  /** Ends every fault; copies already scheduled for later are dropped. Counts stay. */
  clear(): QStashFaultState {
    this.#duplicates = undefined;
    this.#publish.stop();
    for (const cancel of this.#pendingLater) cancel();
    this.#pendingLater.clear();
    return this.state();
  }

  /** Ends the publish outage only; duplicates and the copies they scheduled go on. Counts stay. */
  stopPublishOutage(): QStashFaultState {
    this.#publish.stop();
    return this.state();
  }

  /** Clears faults and counts (the server's reset). */
  reset(): void {
    this.clear();
    this.#publish.reset();
    this.#copiesAtOnce = 0;
    this.#copiesLater = 0;
  }

  state(): QStashFaultState {
    const outage = this.#publish.current();
    return {
      ...(this.#duplicates && { duplicates: { ...this.#duplicates } }),
      ...(outage && { publishOutage: outage }),
      injected: {
        duplicatesAtOnce: this.#copiesAtOnce,
        duplicatesLater: this.#copiesLater,
        publishErrors: this.#publish.injected.errors,
        publishRefused: this.#publish.injected.refused,
        publishOutages: this.#publish.injected.windows,
      },
    };
  }

  /** For a request to the API: how it fails, when it is a publish inside an outage window. */
  publishFailure(method: string, path: string): OutageFailure | null {
    if (method !== "POST" || !PUBLISH_PATH.test(path)) return null;
    const failure = this.#publish.nextFailure();
    if (failure) this.events.emit("fault", { kind: "publish", failure } satisfies QStashFaultEvent);
    return failure;
  }

  /**
   * Called as a delivery attempt starts; `send` sends one more copy of it.
   * Decides whether this attempt gets a duplicate, and when.
   */
  onAttempt(messageId: string, send: () => Promise<unknown>): void {
    const config = this.#duplicates;
    if (!config || this.random() >= config.rate) return;
    const fire = (when: "at-once" | "later") => {
      if (when === "at-once") this.#copiesAtOnce += 1;
      else this.#copiesLater += 1;
      this.events.emit("fault", { kind: "duplicate", when, messageId } satisfies QStashFaultEvent);
      const copy = send().finally(() => this.#copies.delete(copy));
      this.#copies.add(copy);
    };
    if (this.random() < 0.5) {
      fire("at-once");
      return;
    }
    const cancel = this.clock.at(this.clock.now() + (config.laterMs ?? 1_000), () => {
      this.#pendingLater.delete(cancel);
      fire("later");
    });
    this.#pendingLater.add(cancel);
  }

  /** Copies sent and not yet answered, plus copies waiting for their time. */
  get copiesPending(): number {
    return this.#copies.size + this.#pendingLater.size;
  }

  /** Resolves once every copy already sent has been answered. */
  async copiesSettled(): Promise<void> {
    while (this.#copies.size > 0) await Promise.allSettled([...this.#copies]);
  }
}

/** `GET|POST|DELETE /__stack/faults`: read, add to, or end the faults. */
export function faultRoutes(faults: QStashFaults): Route[] {
  return [
    route("GET", /^\/__stack\/faults$/, () => json(faults.state())),
    route("POST", /^\/__stack\/faults$/, (ctx) => {
      try {
        return json(faults.set(parseQStashFaultConfig(parseJsonBody(ctx.body) ?? {})));
      } catch (error) {
        throw badRequest(error instanceof Error ? error.message : String(error));
      }
    }),
    route("DELETE", /^\/__stack\/faults$/, () => json(faults.clear())),
  ];
}
