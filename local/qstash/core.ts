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

/** `msg_…`, `scd_…`: prefix plus 24 random alphanumerics, like QStash's ids. */
export function randomId(prefix: string): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const bytes = randomBytes(24);
  let text = "";
  for (const byte of bytes) text += alphabet[byte % alphabet.length];
  return `${prefix}_${text}`;
}
