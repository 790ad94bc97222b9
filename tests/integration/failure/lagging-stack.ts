import { manualClock } from "@/local/clock";
import { startLocalStack } from "@/local/stack";
import type { TestStack } from "../../helpers/stack";

/**
 * The local stack on a manual clock that starts two minutes behind the wall
 * clock. The app checks signatures against real time, so fast-forwarding
 * retries with `advance()` must not sign tokens that are not valid yet; starting
 * in the past leaves two minutes of fast-forward that stay valid.
 */
export function startLaggingStack(): Promise<TestStack> {
  return startLocalStack({
    ports: { qstash: 0, redis: 0, resend: 0 },
    clock: manualClock(Date.now() - 120_000),
    dataDir: null,
    resendRateLimitPerSecond: 1000,
  });
}
