import { type Clock, drainOutbox, type Outbox } from "../job-runtime";
import { refuseCronCaller } from "./authorize";

/** Where Vercel Cron calls it (the route file's folder, and vercel.json); `npm run dev` and the doctor call it too. */
export const OUTBOX_SWEEP_CRON_PATH = "/api/cron/outbox-sweep";

export interface OutboxSweepCronDeps {
  /** `CRON_SECRET`; undefined switches the route off (503 naming it). */
  cronSecret: string | undefined;
  outbox: Pick<Outbox, "sweep">;
  clock: Clock;
}

/**
 * `GET /api/cron/outbox-sweep`, called by Vercel Cron every minute: publishes
 * outbox entries QStash did not accept. It is the sweeper that does not depend
 * on QStash (a QStash schedule only fires once QStash is back); see
 * docs/decisions/0011-outbox.md. Nothing runs before the caller is known.
 */
export async function handleOutboxSweepCron(request: Request, deps: OutboxSweepCronDeps): Promise<Response> {
  const refusal = await refuseCronCaller(request, deps.cronSecret);
  if (refusal) return refusal;
  const swept = await drainOutbox(deps.outbox, { now: () => deps.clock.now() });
  return Response.json(
    { ran: swept.ran, published: swept.published.length, pending: swept.pending.length, rounds: swept.rounds },
    { headers: { "Cache-Control": "no-store" } },
  );
}
