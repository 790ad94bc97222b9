import type { Core } from "./core";
import type { Dispatcher } from "./dispatcher";
import { scheduleJson } from "./schedules";
import { dlqJson, messageJson } from "./views";

/** Everything the dashboard shows, as JSON (`GET /__stack/state`). */
export function stateSnapshot(core: Core, dispatcher: Dispatcher, recentEvents = 200) {
  const now = core.clock.now();
  return {
    now,
    manualClock: core.clock.manual,
    inFlight: dispatcher.inFlightCount,
    nextWakeAt: dispatcher.nextWakeAt(now) ?? null,
    messages: [...core.state.messages.values()]
      .sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || a.seq - b.seq)
      .map((message) => ({
        ...messageJson(message),
        state: dispatcher.isInFlight(message.messageId) ? "ACTIVE" : message.state,
        retried: message.retried,
        nextAttemptAt: message.nextAttemptAt,
        cancelRequested: message.cancelRequested ?? false,
      })),
    dlq: [...core.state.dlq.values()].map(dlqJson),
    schedules: [...core.state.schedules.values()].map(scheduleJson),
    queues: [...core.state.queues.values()].map((queue) => ({
      ...queue,
      lag: [...core.state.messages.values()].filter((message) => message.queueName === queue.name).length,
    })),
    topics: [...core.state.topics.values()],
    flowControl: [...core.state.flowControl.values()],
    events: core.log.recent(recentEvents),
  };
}

export type StateSnapshot = ReturnType<typeof stateSnapshot>;
