import { OUTBOX_SWEEP_GRACE_MS, type SweepResult } from "@/lib/job-runtime";
import { durableQueue } from "@/lib/jobs/outbox";
import type { RunningStackAndApp } from "./stack-and-app";

/**
 * Producers under a QStash publish outage, on the local stack: the outage
 * switch, what waits in the outbox, what QStash holds, and the sweep after it.
 * For files set up with `stackClock: true`, so the stack's clock is the app's.
 */
export function outboxOutage(running: RunningStackAndApp) {
  const services = () => running.app.services;
  return {
    /** The publish API refuses connections; deliveries go on. */
    start() {
      running.stack.qstash.faults.set({ publishOutage: { mode: "refuse" } });
    },
    /** Entries waiting to be published. */
    pending: async () => (await durableQueue(services()).depth()).pending,
    /** Messages QStash accepted for `job` whose body contains `marker` (ids, addresses). */
    async messages(job: string, marker: string): Promise<number> {
      const { logs } = await running.app.qstash.logs({ filter: { label: job } });
      return logs.filter(
        (log) =>
          log.state === "CREATED" &&
          Buffer.from(log.body ?? "", "base64")
            .toString()
            .includes(marker),
      ).length;
    },
    /** Ends the outage, lets the grace period pass and runs two sweeps, as two sweepers would. */
    async endAndSweep(): Promise<[SweepResult, SweepResult]> {
      running.stack.qstash.faults.clear();
      await running.stack.clock.advance(OUTBOX_SWEEP_GRACE_MS);
      const first = await durableQueue(services()).sweep();
      const second = await durableQueue(services()).sweep();
      return [first, second];
    },
    emailsTo: (address: string) => running.stack.resend.emails().filter((email) => email.to.includes(address)),
  };
}
