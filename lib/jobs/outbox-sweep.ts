import * as z from "zod/mini";
import { defineJob } from "./context";

/**
 * Every minute (a QStash schedule, lib/flows/schedules.ts): publishes outbox
 * entries QStash did not accept when they were written. A schedule only fires
 * while QStash is up, which is exactly when a sweep can succeed; the Vercel
 * Cron route and the next producer call sweep too (docs/decisions/0011-outbox.md).
 * Overlapping sweeps are safe: one holds the sweep lock, and each entry goes
 * out under its own deduplication id. Handler: ./outbox-sweep.handler.ts.
 */
export const outboxSweep = defineJob({
  name: "outbox-sweep",
  schema: z.object({}),
  // The next tick is a minute away; a retry would only race it.
  retries: 0,
  flowControl: { key: "outbox-sweep", parallelism: 1 },
});
