import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { HyperLogLog, JsonDocument, Stream, type StreamId } from "./commands/types";
import type { Keyspace } from "./keyspace";

/**
 * The embedded engine's data in one JSON file, so `npm run dev` keeps users,
 * invites and idempotency keys across a restart as it keeps QStash's messages.
 * Writes are debounced and go to a temp file renamed over the old one, so a
 * crash never leaves half a file; an unreadable file is set aside, not lost.
 */

/** How long writes are batched: a burst of commands costs one file write. */
const SAVE_DEBOUNCE_MS = 50;

type Saved =
  | { t: "string"; v: string }
  | { t: "bytes"; v: string }
  | { t: "list"; v: string[] }
  | { t: "set"; v: string[] }
  | { t: "zset"; v: Array<[string, string]> }
  | { t: "hash"; v: Record<string, string> }
  | { t: "stream"; v: SavedStream }
  | { t: "hll"; v: string[] }
  | { t: "json"; v: unknown };

interface SavedStream {
  entries: Array<[string, string[]]>;
  lastId: string;
  maxDeletedId: string;
  entriesAdded: number;
  groups: Array<{
    name: string;
    lastDelivered: string;
    entriesRead: number | null;
    pending: Array<[string, string, number, number]>;
    consumers: Array<[string, number]>;
  }>;
}

interface DataFile {
  version: 1;
  savedAt: number;
  /** key, value, expiry (ms since the epoch) or null */
  keys: Array<[string, Saved, number | null]>;
}

const idText = (id: StreamId) => `${id.ms}-${id.seq}`;
const idFrom = (text: string): StreamId => {
  const [ms, seq] = text.split("-").map(Number);
  return { ms: ms!, seq: seq! };
};
// JSON has no Infinity: scores travel as text.
const scoreText = (score: number) => (score === Infinity ? "inf" : score === -Infinity ? "-inf" : String(score));
const scoreFrom = (text: string) => (text === "inf" ? Infinity : text === "-inf" ? -Infinity : Number(text));

function save(value: unknown): Saved | null {
  if (typeof value === "string") return { t: "string", v: value };
  if (Buffer.isBuffer(value)) return { t: "bytes", v: value.toString("base64") };
  if (Array.isArray(value)) return { t: "list", v: value.slice() };
  if (value instanceof Set) return { t: "set", v: [...value] };
  if (value instanceof Map)
    return {
      t: "zset",
      v: [...value.values()].map((entry: { score: number; value: string }) => [entry.value, scoreText(entry.score)]),
    };
  if (value instanceof HyperLogLog) return { t: "hll", v: [...value.members] };
  if (value instanceof JsonDocument) return { t: "json", v: value.root };
  if (value instanceof Stream) {
    return {
      t: "stream",
      v: {
        entries: value.entries.map((entry) => [idText(entry.id), entry.fields]),
        lastId: idText(value.lastId),
        maxDeletedId: idText(value.maxDeletedId),
        entriesAdded: value.entriesAdded,
        groups: [...value.groups].map(([name, group]) => ({
          name,
          lastDelivered: idText(group.lastDelivered),
          entriesRead: group.entriesRead,
          pending: [...group.pending].map(([id, entry]) => [id, entry.consumer, entry.deliveredAt, entry.deliveries]),
          consumers: [...group.consumers].map(([consumer, info]) => [consumer, info.seenAt]),
        })),
      },
    };
  }
  if (value !== null && typeof value === "object") return { t: "hash", v: { ...(value as Record<string, string>) } };
  return null;
}

function restore(saved: Saved): unknown {
  switch (saved.t) {
    case "string":
      return saved.v;
    case "bytes":
      return Buffer.from(saved.v, "base64");
    case "list":
      return saved.v;
    case "set":
      return new Set(saved.v);
    case "zset":
      return new Map(saved.v.map(([member, score]) => [member, { score: scoreFrom(score), value: member }]));
    case "hash":
      return saved.v;
    case "hll":
      return new HyperLogLog(new Set(saved.v));
    case "json":
      return new JsonDocument(saved.v);
    case "stream": {
      const stream = new Stream();
      stream.entries = saved.v.entries.map(([id, fields]) => ({ id: idFrom(id), fields }));
      stream.lastId = idFrom(saved.v.lastId);
      stream.maxDeletedId = idFrom(saved.v.maxDeletedId);
      stream.entriesAdded = saved.v.entriesAdded;
      for (const group of saved.v.groups) {
        stream.groups.set(group.name, {
          lastDelivered: idFrom(group.lastDelivered),
          entriesRead: group.entriesRead,
          pending: new Map(
            group.pending.map(([id, consumer, deliveredAt, deliveries]) => [id, { consumer, deliveredAt, deliveries }]),
          ),
          consumers: new Map(group.consumers.map(([consumer, seenAt]) => [consumer, { seenAt }])),
        });
      }
      return stream;
    }
  }
}

export class KeyspaceSnapshot {
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly file: string,
    private readonly keyspace: Keyspace,
  ) {}

  /** Loads the file into the keyspace (keys already expired are skipped). */
  load(): void {
    if (!existsSync(this.file)) return;
    try {
      const data = JSON.parse(readFileSync(this.file, "utf8")) as DataFile;
      if (data.version !== 1 || !Array.isArray(data.keys)) throw new Error(`unknown format version ${String(data.version)}`);
      const now = this.keyspace.now();
      for (const [key, saved, expiry] of data.keys) {
        if (expiry !== null && expiry <= now) continue;
        this.keyspace.set(key, restore(saved));
        if (expiry !== null) this.keyspace.setExpiry(key, expiry);
      }
    } catch (error) {
      const aside = `${this.file}.unreadable-${Date.now()}`;
      renameSync(this.file, aside);
      console.error(
        `[local/redis] could not read ${this.file} (${error instanceof Error ? error.message : String(error)}); moved it to ${aside} and started empty`,
      );
    }
  }

  /** Saves soon; many calls in a burst write once. */
  schedule(): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.write();
    }, SAVE_DEBOUNCE_MS);
    this.#timer.unref();
  }

  /** Writes now (on close). */
  flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.write();
  }

  private write(): void {
    const keys: DataFile["keys"] = [];
    for (const key of this.keyspace.keys()) {
      const saved = save(this.keyspace.values.get(key));
      if (saved) keys.push([key, saved, this.keyspace.expiry(key) ?? null]);
    }
    const data: DataFile = { version: 1, savedAt: Date.now(), keys };
    mkdirSync(dirname(this.file), { recursive: true });
    const temp = `${this.file}.tmp`;
    writeFileSync(temp, JSON.stringify(data));
    renameSync(temp, this.file);
  }
}
