import { describe, expect, test } from "vitest";
import { drainOutbox, OUTBOX_SWEEP_LIMIT, type PublishedEntry, type SweepResult } from "@/lib/job-runtime";

// When a scheduled sweeper's one call keeps sweeping, and when it stops.

const published = (count: number): PublishedEntry[] =>
  Array.from({ length: count }, (_, n) => ({ entryId: `obx_${n}`, jobName: "j", messageId: `msg_${n}`, deduplicated: false }));

/** An outbox whose sweeps answer `answers` in order (and "nothing due" after), counting calls. */
function scripted(answers: SweepResult[], onSweep: () => void = () => {}) {
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    async sweep() {
      onSweep();
      return answers[calls++] ?? { ran: true, published: [], pending: [] };
    },
  };
}

const full: SweepResult = { ran: true, published: published(OUTBOX_SWEEP_LIMIT), pending: [] };
const now = () => 0;

describe("drainOutbox", () => {
  test("keeps sweeping while each round found a full batch, and stops after a partial one", async () => {
    const outbox = scripted([full, full, { ran: true, published: published(7), pending: [] }, full]);
    const result = await drainOutbox(outbox, { now });
    expect(result).toMatchObject({ ran: true, rounds: 3 });
    expect(result.published).toHaveLength(2 * OUTBOX_SWEEP_LIMIT + 7);
    expect(outbox.calls).toBe(3);
  });

  test("stops at the round limit", async () => {
    const outbox = scripted([full, full, full, full]);
    expect(await drainOutbox(outbox, { now, rounds: 2 })).toMatchObject({ rounds: 2 });
    expect(outbox.calls).toBe(2);
  });

  test("stops as soon as QStash refuses: what failed stays pending for the next tick", async () => {
    const refused: SweepResult = { ran: true, published: published(150), pending: ["obx_a"] };
    const outbox = scripted([refused, full]);
    const result = await drainOutbox(outbox, { now });
    expect(result).toMatchObject({ ran: true, rounds: 1, pending: ["obx_a"] });
    expect(outbox.calls).toBe(1);
  });

  test("another sweeper holds the lock: nothing ran", async () => {
    const outbox = scripted([{ ran: false, published: [], pending: [] }, full]);
    expect(await drainOutbox(outbox, { now })).toEqual({ ran: false, rounds: 0, published: [], pending: [] });
    expect(outbox.calls).toBe(1);
  });

  test("starts no new round once the time budget is spent", async () => {
    let clock = 0;
    const outbox = scripted([full, full, full, full], () => (clock += 6_000));
    expect(await drainOutbox(outbox, { now: () => clock, budgetMs: 10_000 })).toMatchObject({ rounds: 2 });
    expect(outbox.calls).toBe(2);
  });
});
