import { MessageStore } from "./message-store";
import type { DedupRecord, DlqEntry, FlowControlRecord, QueueRecord, ScheduleRecord, TopicRecord } from "./model";

/** Everything the local QStash holds; persisted as one snapshot. */
export interface State {
  messages: MessageStore;
  dlq: Map<string, DlqEntry>;
  schedules: Map<string, ScheduleRecord>;
  queues: Map<string, QueueRecord>;
  topics: Map<string, TopicRecord>;
  flowControl: Map<string, FlowControlRecord>;
  dedup: Map<string, DedupRecord>;
  seq: number;
}

export function emptyState(): State {
  return {
    messages: new MessageStore(),
    dlq: new Map(),
    schedules: new Map(),
    queues: new Map(),
    topics: new Map(),
    flowControl: new Map(),
    dedup: new Map(),
    seq: 0,
  };
}
