import { Redis } from "@upstash/redis";
import type { Env } from "./env";

/** The app's only Redis client: Upstash's REST client, which works on Node.js and the Edge runtime alike. */
export function createRedis(env: Pick<Env, "UPSTASH_REDIS_REST_URL" | "UPSTASH_REDIS_REST_TOKEN">): Redis {
  return new Redis({
    url: env.UPSTASH_REDIS_REST_URL,
    token: env.UPSTASH_REDIS_REST_TOKEN,
    // Upstash's telemetry headers are noise for the app and for the local stack.
    enableTelemetry: false,
  });
}

export type { Redis };
