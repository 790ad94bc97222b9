import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { performance } from "node:perf_hooks";
import { bodyBase64, storeBody } from "./body";
import type { DedupRecord, DlqEntry, FlowControlRecord, MessageRecord, QueueRecord, ScheduleRecord, TopicRecord } from "./model";
import { emptyState, type State } from "./state";

/** How long writes are batched at least; a burst of publishes costs one file write. */
const SAVE_DEBOUNCE_MS = 25;
/**
 * A write serializes the whole state, so with thousands of messages waiting it is
 * not cheap: the next one waits this many times as long as the last took, which
 * keeps saving under a tenth of the process's time however large the state grows.
 */
const SAVE_SPACING_FACTOR = 10;
/** …but never longer than this, so a crash loses at most this much recent state. */
const MAX_SAVE_DELAY_MS = 1_000;

/** A message as the file keeps it: the body in base64, as since the first version of the file. */
type SavedMessage = Omit<MessageRecord, "body"> & { bodyBase64: string };
type SavedDlqEntry = Omit<DlqEntry, "message"> & { message: SavedMessage };

const toSaved = ({ body, ...rest }: MessageRecord): SavedMessage => ({ ...rest, bodyBase64: bodyBase64(body) });
const fromSaved = ({ bodyBase64: saved, ...rest }: SavedMessage): MessageRecord => ({
  ...rest,
  body: storeBody(Buffer.from(saved, "base64")),
});

interface DataFile {
  version: 1;
  savedAt: number;
  seq: number;
  messages: SavedMessage[];
  dlq: SavedDlqEntry[];
  schedules: ScheduleRecord[];
  queues: QueueRecord[];
  topics: TopicRecord[];
  flowControl: FlowControlRecord[];
  dedup: Array<[string, DedupRecord]>;
}

/**
 * Mirrors the state to one JSON file: pending messages with their next attempt
 * time, the DLQ, schedules, queues, URL groups, flow-control settings and dedup
 * ids. Writes are debounced and always go to a temp file that is renamed over
 * the old one, so a crash never leaves half a file. `flush()` writes now.
 */
export class Persistence {
  #timer: NodeJS.Timeout | undefined;
  /** How long the last write took, ms. */
  #lastSaveMs = 0;

  constructor(
    private readonly file: string | null,
    private readonly getState: () => State,
    private readonly nowMs: () => number,
  ) {}

  /** The saved state, or an empty one (no file, or an unreadable file, which is reported and set aside). */
  load(): State {
    if (!this.file || !existsSync(this.file)) return emptyState();
    try {
      const data = JSON.parse(readFileSync(this.file, "utf8")) as DataFile;
      if (data.version !== 1) throw new Error(`unknown version ${String(data.version)}`);
      const state = emptyState();
      state.seq = data.seq;
      for (const saved of data.messages) {
        const message = fromSaved(saved);
        // It was being cancelled while its attempt ran; the cancel wins.
        if (message.cancelRequested) continue;
        // An attempt that was in flight at shutdown never reported back: run it again (at-least-once).
        if (message.state === "ACTIVE") message.state = message.retried > 0 ? "RETRY" : "CREATED";
        state.messages.set(message.messageId, message);
      }
      for (const entry of data.dlq) state.dlq.set(entry.dlqId, { ...entry, message: fromSaved(entry.message) });
      for (const schedule of data.schedules) state.schedules.set(schedule.scheduleId, schedule);
      for (const queue of data.queues) state.queues.set(queue.name, queue);
      for (const topic of data.topics) state.topics.set(topic.name, topic);
      for (const flow of data.flowControl) state.flowControl.set(flow.key, flow);
      for (const [key, record] of data.dedup) state.dedup.set(key, record);
      return state;
    } catch (error) {
      const aside = `${this.file}.unreadable-${Date.now()}`;
      renameSync(this.file, aside);
      console.warn(
        `[local/qstash] could not read ${this.file} (${error instanceof Error ? error.message : String(error)}); moved it to ${aside} and started empty`,
      );
      return emptyState();
    }
  }

  schedule(): void {
    if (!this.file || this.#timer) return;
    const delay = Math.min(MAX_SAVE_DELAY_MS, Math.max(SAVE_DEBOUNCE_MS, SAVE_SPACING_FACTOR * this.#lastSaveMs));
    this.#timer = setTimeout(() => this.flush(), delay);
    this.#timer.unref?.();
  }

  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (!this.file) return;
    const started = performance.now();
    const state = this.getState();
    const now = this.nowMs();
    const data: DataFile = {
      version: 1,
      savedAt: now,
      seq: state.seq,
      messages: [...state.messages.values()].map(toSaved),
      dlq: [...state.dlq.values()].map((entry) => ({ ...entry, message: toSaved(entry.message) })),
      schedules: [...state.schedules.values()],
      queues: [...state.queues.values()],
      topics: [...state.topics.values()],
      flowControl: [...state.flowControl.values()],
      dedup: [...state.dedup.entries()].filter(([, record]) => record.expiresAt > now),
    };
    mkdirSync(dirname(this.file), { recursive: true });
    const temp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temp, `${JSON.stringify(data)}\n`);
    renameSync(temp, this.file);
    this.#lastSaveMs = performance.now() - started;
  }
}
