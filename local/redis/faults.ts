/**
 * Fault injection for the Redis REST look-alike: for a window, command
 * requests (`/`, `/pipeline`, `/multi-exec`) answer 5xx or have their
 * connection dropped, as when the hosted database is unreachable. A failed
 * request runs no command, so nothing is half-applied.
 *
 * Controlled with `GET|POST|DELETE /__faults` on the server (bearer token
 * required, like every other call to it) or `server.faults` from code.
 */
import { OutageSwitch, parseOutageConfig, type ActiveOutage, type OutageConfig, type OutageFailure } from "../outage";

export interface RedisFaultState {
  outage?: ActiveOutage;
  injected: { errors: number; refused: number; outages: number };
}

export class RedisFaults {
  readonly #outage: OutageSwitch;
  readonly #listeners = new Set<(failure: OutageFailure) => void>();

  constructor(now: () => number = Date.now, random: () => number = Math.random) {
    this.#outage = new OutageSwitch(now, random);
  }

  /** Starts an outage window (validated like `POST /__faults` `{"outage": {...}}`). */
  set(input: { outage: OutageConfig }): RedisFaultState {
    if (typeof input !== "object" || input === null) throw new Error("body must be a JSON object");
    for (const key of Object.keys(input)) if (key !== "outage") throw new Error(`unknown fault "${key}"`);
    this.#outage.start(parseOutageConfig(input.outage, "outage"));
    return this.state();
  }

  /** Ends the outage; counts stay. */
  clear(): RedisFaultState {
    this.#outage.stop();
    return this.state();
  }

  reset(): void {
    this.#outage.reset();
  }

  state(): RedisFaultState {
    const outage = this.#outage.current();
    const { errors, refused, windows } = this.#outage.injected;
    return { ...(outage && { outage }), injected: { errors, refused, outages: windows } };
  }

  /** Whether this command request fails, and how. */
  nextFailure(): OutageFailure | null {
    const failure = this.#outage.nextFailure();
    if (failure) for (const listener of this.#listeners) listener(failure);
    return failure;
  }

  /** Called with every injected failure; returns a function that unsubscribes. */
  onFailure(listener: (failure: OutageFailure) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
