import { startJobRoute, withQuietLogs } from "../lib/fixtures";
import { compare, timed } from "../lib/measure";
import { COMPARISON_HEADER, comparisonRows, formatRatio, type Scenario } from "../lib/report";

export const duplicateScenario: Scenario = {
  id: "duplicate",
  title: "3. Duplicate delivery fast path",
  async run() {
    const route = await startJobRoute();
    try {
      const finished = "msg_finished";
      if ((await withQuietLogs(() => route.deliver(route.request(finished)))).duplicate)
        throw new Error("fresh message seen as a duplicate");
      if (!(await withQuietLogs(() => route.deliver(route.request(finished)))).duplicate)
        throw new Error("duplicate was run again");

      let n = 0;
      const result = await withQuietLogs(() =>
        compare(
          async () => {
            const request = route.request(`msg_first_${n++}`);
            return timed(() => route.deliver(request));
          },
          async () => {
            // A redelivery of the same message: QStash retried after a lost answer, or published twice.
            const request = route.request(finished);
            return timed(() => route.deliver(request));
          },
          { warmup: 30, rounds: 6, perRound: 40, budgetMs: 12_000 },
        ),
      );
      return {
        title: this.title,
        description: [
          "Both sides go through `handleJobRequest` against the embedded Redis emulator. Baseline: the first",
          "delivery of a fresh message (claim, handler, complete: two Redis round trips). Subject: another",
          "delivery of a message that already finished: the claim script finds `done:` and answers",
          "`{duplicate: true}` after one round trip, without running the handler. Expect a ratio below 1.",
        ].join("\n"),
        table: [
          COMPARISON_HEADER,
          ...comparisonRows(
            result,
            { baseline: "Baseline: first delivery", subject: "Subject: duplicate of a finished message" },
            "ms",
          ),
        ],
        targets: [{ label: `duplicate / first delivery < 1: ${formatRatio(result.ratio)}`, pass: result.ratio < 1 }],
        notes: [],
      };
    } finally {
      await route.close();
    }
  },
};
