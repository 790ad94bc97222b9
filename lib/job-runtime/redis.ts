import { Redis } from "@upstash/redis";

/** The app's only Redis client: Upstash's REST client, which works on Node.js and the Edge runtime alike. */
/** Takes Upstash's own variable names, so `createRedis(env)` works on a parsed environment. */
export function createRedis(env: { UPSTASH_REDIS_REST_URL: string; UPSTASH_REDIS_REST_TOKEN: string }): Redis {
  return new Redis({
    url: env.UPSTASH_REDIS_REST_URL,
    token: env.UPSTASH_REDIS_REST_TOKEN,
    // Upstash's telemetry headers are noise for the app and for the local stack.
    enableTelemetry: false,
  });
}

export type { Redis };
