import { testJob } from "@/lib/jobs/test";
import { jobUrl, createVerifier } from "@/lib/job-runtime";
import { DEV_CURRENT_SIGNING_KEY as DEV_CURRENT_KEY, DEV_NEXT_SIGNING_KEY as DEV_NEXT_KEY } from "@/local/qstash/credentials";
import { signDelivery } from "@/local/qstash/signing";
import { compare, timed } from "../lib/measure";
import { COMPARISON_HEADER, comparisonRows, type Scenario } from "../lib/report";

/**
 * Calls per sample, so each sample lasts about a millisecond: single calls take
 * microseconds, too close to the timer's resolution and to one GC pause.
 */
const BATCH = { baseline: 2_000, subject: 10 };

export const verifyScenario: Scenario = {
  id: "verify",
  title: "2. Signature verification cost",
  async run() {
    const url = jobUrl("http://127.0.0.1:3000", testJob);
    const body = JSON.stringify({ message: "hello from the benchmark" });
    // The Receiver keeps no replay list, so one token verifies any number of times.
    const signature = signDelivery({
      key: DEV_CURRENT_KEY,
      url,
      body: new TextEncoder().encode(body),
      nowMs: Date.now(),
      jti: "jwt_bench",
    });
    const verify = createVerifier({ currentSigningKey: DEV_CURRENT_KEY, nextSigningKey: DEV_NEXT_KEY });
    await verify({ signature, body, expectedUrl: url }); // throws if the setup is wrong

    const parse = () => {
      if (!testJob.schema.safeParse(JSON.parse(body)).success) throw new Error("bench body does not parse");
    };
    const result = await compare(
      // No `await` in the parse loop: a microtask per call would be a visible share of a sub-microsecond call.
      async () =>
        (await timed(async () => {
          for (let i = 0; i < BATCH.baseline; i++) parse();
        })) / BATCH.baseline,
      async () =>
        (await timed(async () => {
          for (let i = 0; i < BATCH.subject; i++) await verify({ signature, body, expectedUrl: url });
        })) / BATCH.subject,
      { warmup: 20, rounds: 6, perRound: 40, budgetMs: 8_000 },
    );

    return {
      title: this.title,
      description: [
        "CPU only, no I/O. Subject: one call of the verifier from `createVerifier(...)` (built once, as the",
        "route does) on a valid `Upstash-Signature` JWT: HS256 check, `sub` = job URL, body SHA-256. Baseline:",
        "`JSON.parse` + the `test` job's zod `safeParse` of the same body, the other per-delivery CPU work of the",
        `route. A sample times ${BATCH.subject} verifications or ${BATCH.baseline} parses (about 1 ms either way)`,
        "and reports the time per call.",
      ].join("\n"),
      table: [
        COMPARISON_HEADER,
        ...comparisonRows(
          result,
          { baseline: "Baseline: `JSON.parse` + zod `safeParse`", subject: "Subject: `verify(...)`" },
          "ms",
        ),
      ],
      targets: [],
      notes: ["No target: this puts the verification in proportion; scenario 1 judges its share of a delivery."],
    };
  },
};
