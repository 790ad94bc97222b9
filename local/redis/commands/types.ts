/**
 * Value types ioredis-mock does not have, kept in the same keyspace as its own
 * shapes (strings, arrays, Sets, Maps, objects).
 */

/** A stream entry id; both parts fit in a double up to 2^53, plenty for local use. */
export interface StreamId {
  ms: number;
  seq: number;
}

export const compareIds = (a: StreamId, b: StreamId) => (a.ms === b.ms ? a.seq - b.seq : a.ms - b.ms);
export const formatId = (id: StreamId) => `${id.ms}-${id.seq}`;

export interface StreamEntry {
  id: StreamId;
  fields: string[];
}

interface PendingEntry {
  consumer: string;
  deliveredAt: number;
  deliveries: number;
}

export interface ConsumerGroup {
  lastDelivered: StreamId;
  /** Entries read by the group, or null once it can no longer be known (after SETID to an arbitrary id). */
  entriesRead: number | null;
  /** Entry id (as text) → who holds it; insertion order is not id order, so callers sort. */
  pending: Map<string, PendingEntry>;
  consumers: Map<string, { seenAt: number }>;
}

/** Entries in id order, plus what XADD and the groups need to survive deletions. */
export class Stream {
  entries: StreamEntry[] = [];
  lastId: StreamId = { ms: 0, seq: 0 };
  maxDeletedId: StreamId = { ms: 0, seq: 0 };
  entriesAdded = 0;
  groups = new Map<string, ConsumerGroup>();

  clone(): Stream {
    const copy = new Stream();
    copy.entries = this.entries.map((entry) => ({ id: { ...entry.id }, fields: entry.fields.slice() }));
    copy.lastId = { ...this.lastId };
    copy.maxDeletedId = { ...this.maxDeletedId };
    copy.entriesAdded = this.entriesAdded;
    for (const [name, group] of this.groups) {
      copy.groups.set(name, {
        lastDelivered: { ...group.lastDelivered },
        entriesRead: group.entriesRead,
        pending: new Map([...group.pending].map(([id, entry]) => [id, { ...entry }])),
        consumers: new Map([...group.consumers].map(([consumer, info]) => [consumer, { ...info }])),
      });
    }
    return copy;
  }
}

/**
 * A HyperLogLog kept as the exact set of what was added: local data sets are
 * small enough, and for them Redis's estimate is exact too. TYPE says string,
 * as in Redis; GET returns a marker header, not Redis's register encoding.
 */
export class HyperLogLog {
  constructor(readonly members = new Set<string>()) {}

  clone(): HyperLogLog {
    return new HyperLogLog(new Set(this.members));
  }

  toBytes(): Buffer {
    return Buffer.from(`HYLL${JSON.stringify([...this.members])}`, "utf8");
  }

  /** The inverse of toBytes, or null for any other string (PFADD on it is then an error). */
  static fromBytes(bytes: Buffer): HyperLogLog | null {
    const text = bytes.toString("utf8");
    if (!text.startsWith("HYLL[")) return null;
    try {
      return new HyperLogLog(new Set(JSON.parse(text.slice(4)) as string[]));
    } catch {
      return null;
    }
  }
}

/** A RedisJSON document (Upstash's JSON.* commands). */
export class JsonDocument {
  constructor(public root: unknown) {}

  clone(): JsonDocument {
    return new JsonDocument(structuredClone(this.root));
  }
}
