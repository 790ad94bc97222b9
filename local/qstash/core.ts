import { randomBytes } from "node:crypto";
import type { StackClock } from "../clock";
import type { QStashFaults } from "./faults";
import type { EventLog } from "./log";
import type { State } from "./state";

/** Settings every part of the emulator reads. */
interface CoreConfig {
  /** Signs deliveries. */
  currentSigningKey: string;
  /** Only reported by `GET /v2/keys`; receivers fall back to it during rotation. */
  nextSigningKey: string;
  /** Multiplies the default retry ladder. */
  retryScale: number;
  /** Per-attempt limit when a message sets no `Upstash-Timeout`, wall-clock ms. */
  defaultTimeoutMs: number;
  /** Time for signature claims, ms (wall clock unless a test pins it). */
  signingTime(): number;
}

/**
 * The shared context passed to the domain functions (publish, outcome,
 * schedules, DLQ). Mutations go straight to `state`; `changed()` must follow
 * so the dispatcher looks again and the data file gets rewritten.
 */
export interface Core {
  readonly clock: StackClock;
  readonly state: State;
  readonly log: EventLog;
  readonly config: CoreConfig;
  /** Switched-on failures (duplicate deliveries, publish outages); see faults.ts. */
  readonly faults: QStashFaults;
  id(prefix: string): string;
  nextSeq(): number;
  changed(): void;
  /** A queue's or flow-control key's limits changed (pause, resume, parallelism, rate): held-back messages get another look. */
  limitsChanged(): void;
}

const ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const ID_LENGTH = 24;
/**
 * Random bytes for ids, drawn a few kilobytes at a time: every message takes two ids
 * (its own and its signature's `jti`), and one `randomBytes` call per id cost a trip
 * into OpenSSL (and a syscall) each time.
 */
const idPool = { bytes: Buffer.alloc(0), next: 0 };
const ID_POOL_BYTES = 4_096;

/** `msg_…`, `scd_…`: prefix plus 24 random alphanumerics, like QStash's ids. */
export function randomId(prefix: string): string {
  if (idPool.next + ID_LENGTH > idPool.bytes.length) {
    idPool.bytes = randomBytes(ID_POOL_BYTES);
    idPool.next = 0;
  }
  const { bytes } = idPool;
  let text = "";
  for (let index = idPool.next; index < idPool.next + ID_LENGTH; index++) text += ID_ALPHABET[bytes[index]! % ID_ALPHABET.length];
  idPool.next += ID_LENGTH;
  return `${prefix}_${text}`;
}
