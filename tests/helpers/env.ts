import { parseEnv, type Env } from "@/lib/env";
import { DEV_CURRENT_KEY, DEV_NEXT_KEY } from "./qstash-signature";

/** A complete, valid environment for tests; override what a test cares about. */
export function testEnv(overrides: Record<string, string> = {}): Env {
  return parseEnv({
    QSTASH_URL: "http://qstash.test",
    QSTASH_TOKEN: "test-qstash-token",
    QSTASH_CURRENT_SIGNING_KEY: DEV_CURRENT_KEY,
    QSTASH_NEXT_SIGNING_KEY: DEV_NEXT_KEY,
    UPSTASH_REDIS_REST_URL: "http://redis.test",
    UPSTASH_REDIS_REST_TOKEN: "test-redis-token",
    RESEND_API_KEY: "re_test_123",
    RESEND_BASE_URL: "http://resend.test",
    APP_URL: "https://app.test",
    ...overrides,
  });
}
