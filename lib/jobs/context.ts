import type { Client } from "@upstash/qstash";
import type { EmailSender } from "../email/send";
import { type Clock, jobDefiner, type JobQueue, type Redis } from "../job-runtime";

/**
 * What this app's job handlers get besides the delivery facts of `JobContext`:
 * only what jobs use. `lib/services.ts` builds it; tests pass fakes.
 */
export interface JobDeps {
  /**
   * The app's Redis client, loaded on first use: the job route claims with a small
   * client of its own, so a job that never touches Redis never loads its SDK.
   */
  redis(): Promise<Redis>;
  email: EmailSender;
  /** For jobs that publish follow-up jobs. */
  queue: JobQueue;
  clock: Clock;
  /** QStash's messages and DLQ APIs, for the jobs that manage other messages (reminders, re-drive). */
  qstash: Client;
  /** Public base URL of the app, for links in emails. */
  appUrl: string;
}

/** Declares one of this app's jobs; its handler receives `JobContext & JobDeps`. */
export const defineJob = jobDefiner<JobDeps>();
