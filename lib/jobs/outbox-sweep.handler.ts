import { defineHandler, drainOutbox } from "../job-runtime";
import { appOutbox } from "./outbox";
import { outboxSweep } from "./outbox-sweep";

export default defineHandler(outboxSweep, async (_payload, context) => {
  const { qstash, clock } = context;
  const redis = await context.redis();
  // Sweeps in rounds while a backlog is left (ADR 0011), stopping at the first refusal.
  const swept = await drainOutbox(appOutbox({ redis, qstash, clock }), { now: () => clock.now() });
  return { ran: swept.ran, published: swept.published.length, pending: swept.pending.length, rounds: swept.rounds };
});
