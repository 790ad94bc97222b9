import { defineHandler } from "../job-runtime";
import { appOutbox } from "./outbox";
import { outboxSweep } from "./outbox-sweep";

export default defineHandler(outboxSweep, async (_payload, { redis, qstash, clock }) => {
  const swept = await appOutbox({ redis, qstash, clock }).sweep();
  return { ran: swept.ran, published: swept.published.length, pending: swept.pending.length };
});
