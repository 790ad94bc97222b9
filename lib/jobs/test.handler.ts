import { defineHandler, NonRetryableError, RetryableError } from "../job-runtime";
import { testJob } from "./test";

export default defineHandler(testJob, async (payload) => {
  if (payload.failWith === "non-retryable") throw new NonRetryableError(`test job asked to fail: ${payload.message}`);
  if (payload.failWith === "retryable") throw new RetryableError(`test job asked to retry: ${payload.message}`, 1);
  if (payload.failWith === "crash") throw new Error(`test job crashed on purpose: ${payload.message}`);
  return { echoed: payload.message };
});
