import type { MessageRecord } from "./model";

/** Told about every message that enters or leaves the pending set. */
export interface MessageObserver {
  added(message: MessageRecord): void;
  removed(message: MessageRecord): void;
  cleared(): void;
}

/**
 * The pending messages by id: a Map that tells its observer (the dispatcher)
 * about every change, whoever makes it (publish, cancel, outcome, reset), so
 * the dispatcher's index and counters follow the state without rescanning it.
 */
export class MessageStore extends Map<string, MessageRecord> {
  observer: MessageObserver | undefined;

  override set(messageId: string, message: MessageRecord): this {
    const previous = super.get(messageId);
    super.set(messageId, message);
    if (previous && previous !== message) this.observer?.removed(previous);
    if (previous !== message) this.observer?.added(message);
    return this;
  }

  override delete(messageId: string): boolean {
    const message = super.get(messageId);
    if (!message) return false;
    super.delete(messageId);
    this.observer?.removed(message);
    return true;
  }

  override clear(): void {
    super.clear();
    this.observer?.cleared();
  }
}
