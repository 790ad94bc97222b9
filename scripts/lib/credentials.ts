import { CliError } from "./cli";

/**
 * Credentials the CLIs use, resolved like the app resolves them: QSTASH_URL and
 * QSTASH_TOKEN (and UPSTASH_REDIS_REST_*) from the environment, which the caller
 * has already merged with `.env.local` / `.env`. With nothing set, a local stack
 * answering on 127.0.0.1 is used with its public dev credentials, and a notice says so.
 */

/** The QStash dev server's public credentials (built into the official SDK; safe to commit). */
export const LOCAL_QSTASH_TOKEN = "eyJVc2VySUQiOiJkZWZhdWx0VXNlciIsIlBhc3N3b3JkIjoiZGVmYXVsdFBhc3N3b3JkIn0=";
const LOCAL_QSTASH_PORT = 8080;
/** The local Redis REST emulator's defaults (local/redis). */
const LOCAL_REDIS_TOKEN = "local-redis-token";
const LOCAL_REDIS_PORT = 8079;
const DEFAULT_QSTASH_URL = "https://qstash.upstash.io";
const PROBE_TIMEOUT_MS = 2_000;

export interface Resolved {
  url: string;
  token: string;
  /** "env" when configured; "local" when the local stack was found. */
  source: "env" | "local";
}

type Env = Record<string, string | undefined>;
type Notify = (message: string) => void;

export async function resolveQStash(env: Env, notify: Notify, fetchImpl: typeof fetch = fetch): Promise<Resolved> {
  if (env.QSTASH_TOKEN) {
    return { url: (env.QSTASH_URL || DEFAULT_QSTASH_URL).replace(/\/+$/, ""), token: env.QSTASH_TOKEN, source: "env" };
  }
  const url = `http://127.0.0.1:${env.QSTASH_DEV_PORT || LOCAL_QSTASH_PORT}`;
  if (await answers(fetchImpl, `${url}/v2/keys`, { headers: { authorization: `Bearer ${LOCAL_QSTASH_TOKEN}` } })) {
    notify(`QSTASH_TOKEN is not set: using the local stack at ${url} with its dev token.`);
    return { url, token: LOCAL_QSTASH_TOKEN, source: "local" };
  }
  throw new CliError(
    "QSTASH_TOKEN is not set (environment, .env.local or .env) and no local stack answers on " +
      `${url}. Set QSTASH_URL and QSTASH_TOKEN, or start the local stack with \`npm run dev\` or \`npm run stack\`.`,
  );
}

export async function resolveRedis(env: Env, notify: Notify, fetchImpl: typeof fetch = fetch): Promise<Resolved> {
  if (env.UPSTASH_REDIS_REST_URL && env.UPSTASH_REDIS_REST_TOKEN) {
    return { url: env.UPSTASH_REDIS_REST_URL.replace(/\/+$/, ""), token: env.UPSTASH_REDIS_REST_TOKEN, source: "env" };
  }
  const url = `http://127.0.0.1:${LOCAL_REDIS_PORT}`;
  const ping = { method: "POST", headers: { authorization: `Bearer ${LOCAL_REDIS_TOKEN}` }, body: '["PING"]' };
  if (!env.UPSTASH_REDIS_REST_URL && (await answers(fetchImpl, url, ping))) {
    notify(`UPSTASH_REDIS_REST_URL is not set: using the local stack's Redis at ${url}.`);
    return { url, token: LOCAL_REDIS_TOKEN, source: "local" };
  }
  throw new CliError(
    "UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN must be set (environment, .env.local or .env) to read job runs.",
  );
}

async function answers(fetchImpl: typeof fetch, url: string, init: RequestInit): Promise<boolean> {
  try {
    const response = await fetchImpl(url, { ...init, signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}
