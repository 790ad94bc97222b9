import { globToRegExp } from "./commands/context";
import type { PubSubMessage } from "./engine";

type Listener = (message: PubSubMessage) => void;

/** The embedded engine's channels: PUBLISH reaches every subscriber of the channel and of each matching pattern. */
export class PubSubHub {
  readonly #channels = new Map<string, Set<Listener>>();
  readonly #patterns = new Map<string, { match: RegExp; listeners: Set<Listener> }>();

  subscribe(targets: string[], pattern: boolean, listener: Listener): () => Promise<void> {
    for (const target of targets) {
      if (pattern) {
        const entry = this.#patterns.get(target) ?? { match: globToRegExp(target), listeners: new Set<Listener>() };
        entry.listeners.add(listener);
        this.#patterns.set(target, entry);
      } else {
        const listeners = this.#channels.get(target) ?? new Set<Listener>();
        listeners.add(listener);
        this.#channels.set(target, listeners);
      }
    }
    return async () => {
      for (const target of targets) {
        if (pattern) {
          const entry = this.#patterns.get(target);
          entry?.listeners.delete(listener);
          if (entry?.listeners.size === 0) this.#patterns.delete(target);
        } else {
          const listeners = this.#channels.get(target);
          listeners?.delete(listener);
          if (listeners?.size === 0) this.#channels.delete(target);
        }
      }
    };
  }

  /** Like Redis: the count is of deliveries, one per channel subscriber and one per matching pattern subscription. */
  publish(channel: string, message: string): number {
    let delivered = 0;
    for (const listener of this.#channels.get(channel) ?? []) {
      listener({ channel, message });
      delivered++;
    }
    for (const [pattern, entry] of this.#patterns) {
      if (!entry.match.test(channel)) continue;
      for (const listener of entry.listeners) {
        listener({ channel, pattern, message });
        delivered++;
      }
    }
    return delivered;
  }
}
