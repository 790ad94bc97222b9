import * as z from "zod/mini";
import { defineJob } from "./context";

/**
 * A smoke-test job: echoes its message. `failWith` makes it fail on purpose so
 * operators can watch retries and the DLQ work end to end. Handler: ./test.handler.ts.
 */
export const testJob = defineJob({
  name: "test",
  schema: z.object({
    message: z.string().check(z.minLength(1), z.maxLength(1000)),
    failWith: z.optional(z.enum(["non-retryable", "retryable", "crash"])),
  }),
  retries: 3,
  // The app's own ladder (1, 2, 4 s), like the jobs it stands in for: under QStash's default
  // (12 s, 2.5 min, then 30 min) a smoke test that failed twice would sit for half an hour.
  retryDelay: "pow(2, retried) * 1000",
});
