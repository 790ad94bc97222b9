import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { EmailDraft } from "./validate";

/** Resend's `last_event` values this emulator produces. */
export type LastEvent = "delivered" | "scheduled" | "canceled";

/** One accepted email, as tests and the inbox see it. */
export interface CapturedEmail extends EmailDraft {
  id: string;
  /** When the emulator accepted it, ISO 8601 (from the injected clock). */
  createdAt: string;
  /** The Idempotency-Key it was sent with, if any. */
  idempotencyKey: string | null;
  /** Shared by every email of one `POST /emails/batch` call; null for single sends. */
  batchId: string | null;
  /** True once `POST /emails/:id/cancel` succeeded. */
  canceled: boolean;
}

export function lastEvent(email: CapturedEmail, nowMs: number): LastEvent {
  if (email.canceled) return "canceled";
  if (email.scheduledAt !== null && Date.parse(email.scheduledAt) > nowMs) return "scheduled";
  return "delivered";
}

export interface EmailStoreOptions {
  /** JSON file to load at start and rewrite on every change; null keeps mail in memory. */
  dataFile: string | null;
  /** Oldest emails are dropped beyond this many. */
  maxEmails: number;
}

interface DataFile {
  version: 1;
  emails: CapturedEmail[];
}

/** Captured mail in send order, optionally mirrored to a JSON file. */
export class EmailStore {
  #emails: CapturedEmail[] = [];
  readonly #byId = new Map<string, CapturedEmail>();

  constructor(private readonly options: EmailStoreOptions) {
    if (options.dataFile && existsSync(options.dataFile)) {
      try {
        const data = JSON.parse(readFileSync(options.dataFile, "utf8")) as DataFile;
        if (data.version === 1 && Array.isArray(data.emails)) this.#replace(data.emails);
      } catch (error) {
        // A corrupt file should not stop local development; start empty and say so.
        console.warn(`[local/resend] ignoring unreadable ${options.dataFile}:`, error instanceof Error ? error.message : error);
      }
    }
  }

  /** Every email, oldest first. */
  all(): CapturedEmail[] {
    return [...this.#emails];
  }

  get(id: string): CapturedEmail | undefined {
    return this.#byId.get(id);
  }

  add(emails: CapturedEmail[]): void {
    this.#replace([...this.#emails, ...emails]);
    this.#save();
  }

  update(id: string, change: Partial<Pick<CapturedEmail, "scheduledAt" | "canceled">>): CapturedEmail | undefined {
    const email = this.#byId.get(id);
    if (!email) return undefined;
    Object.assign(email, change);
    this.#save();
    return email;
  }

  clear(): void {
    this.#replace([]);
    this.#save();
  }

  #replace(emails: CapturedEmail[]): void {
    this.#emails = emails.slice(-this.options.maxEmails);
    this.#byId.clear();
    for (const email of this.#emails) this.#byId.set(email.id, email);
  }

  #save(): void {
    const file = this.options.dataFile;
    if (!file) return;
    mkdirSync(dirname(file), { recursive: true });
    const data: DataFile = { version: 1, emails: this.#emails };
    // Write then rename, so a crash mid-write never leaves half a file behind.
    writeFileSync(`${file}.tmp`, `${JSON.stringify(data, null, 2)}\n`);
    renameSync(`${file}.tmp`, file);
  }
}
