import type { Core } from "./core";
import type { Dispatcher } from "./dispatcher";
import type { MessageRecord } from "./model";

/**
 * Cancels a pending message. One that is mid-attempt can't be called back, so
 * it is marked and finishes as CANCELLED (no retry, no callbacks) when its
 * attempt returns; any other is removed at once.
 */
export function cancelMessage(core: Core, dispatcher: Dispatcher, message: MessageRecord): void {
  const now = core.clock.now();
  if (message.cancelRequested) return;
  core.log.record("CANCEL_REQUESTED", message, now);
  if (dispatcher.isInFlight(message.messageId)) {
    message.cancelRequested = true;
  } else {
    core.state.messages.delete(message.messageId);
    core.log.record("CANCELLED", message, now);
  }
  core.changed();
}
