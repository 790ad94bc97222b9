import { z } from "zod";
import { NonRetryableError, RetryableError } from "../job-runtime";
import { defineJob } from "./context";

/**
 * A smoke-test job: echoes its message. `failWith` makes it fail on purpose so
 * operators can watch retries and the DLQ work end to end.
 */
export const testJob = defineJob({
  name: "test",
  schema: z.object({
    message: z.string().min(1).max(1000),
    failWith: z.enum(["non-retryable", "retryable", "crash"]).optional(),
  }),
  retries: 3,
  async handler(payload) {
    if (payload.failWith === "non-retryable") throw new NonRetryableError(`test job asked to fail: ${payload.message}`);
    if (payload.failWith === "retryable") throw new RetryableError(`test job asked to retry: ${payload.message}`, 1);
    if (payload.failWith === "crash") throw new Error(`test job crashed on purpose: ${payload.message}`);
    return { echoed: payload.message };
  },
});
