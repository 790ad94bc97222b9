import { errors, Redis } from "@upstash/redis";
import type { Env } from "@/lib/env";
import { describeError, fail, pass, snippet, type CheckResult } from "./check";
import { senderDomain } from "./environment";

/** How long one probe of a service may take before the doctor calls it unreachable. */
export const PROBE_TIMEOUT_MS = 10_000;
const RESEND_API = "https://api.resend.com";

type JsonAnswer = { status: number; body: string; json?: unknown };

async function getJson(url: string, token: string): Promise<JsonAnswer> {
  const response = await fetch(url, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
  });
  const body = await response.text();
  try {
    return { status: response.status, body, json: JSON.parse(body) };
  } catch {
    return { status: response.status, body };
  }
}

/** The token reaches the account, and the signing keys are the account's current and next ones (QStash's keys API). */
export async function checkQStash(env: Env): Promise<CheckResult & { tokenWorks: boolean }> {
  const result = await qstashAnswer(env);
  // Wrong signing keys still let the doctor publish: the delivery check then shows the 401 they cause.
  return { ...result, id: "qstash", tokenWorks: result.status === "pass" || result.id === KEYS_DIFFER };
}

const KEYS_DIFFER = "qstash-keys-differ";

async function qstashAnswer(env: Env): Promise<CheckResult> {
  const [id, title] = ["qstash", "QStash token and signing keys"];
  let answer: JsonAnswer;
  try {
    answer = await getJson(`${env.QSTASH_URL}/v2/keys`, env.QSTASH_TOKEN);
  } catch (error) {
    return fail(
      id,
      title,
      `${env.QSTASH_URL} did not answer: ${describeError(error)}`,
      "check QSTASH_URL (it is the region URL from the QStash console)",
    );
  }
  if (answer.status === 401 || answer.status === 403) {
    return fail(
      id,
      title,
      `QStash refused QSTASH_TOKEN (${answer.status})`,
      "copy QSTASH_TOKEN from the Upstash console (QStash → Request builder / .env)",
      {
        status: answer.status,
        body: snippet(answer.body),
      },
    );
  }
  const keys = answer.json as { current?: string; next?: string } | undefined;
  if (answer.status !== 200 || !keys?.current) {
    return fail(id, title, `unexpected answer from ${env.QSTASH_URL}/v2/keys: ${answer.status}`, "check QSTASH_URL", {
      status: answer.status,
      body: snippet(answer.body),
    });
  }
  const wrong = [
    ...(env.QSTASH_CURRENT_SIGNING_KEY !== keys.current ? ["QSTASH_CURRENT_SIGNING_KEY"] : []),
    ...(env.QSTASH_NEXT_SIGNING_KEY !== keys.next ? ["QSTASH_NEXT_SIGNING_KEY"] : []),
  ];
  if (wrong.length > 0) {
    return fail(
      KEYS_DIFFER,
      title,
      `${wrong.join(" and ")} ${wrong.length > 1 ? "differ" : "differs"} from the account's keys, so every delivery fails its signature check`,
      "copy both signing keys from the Upstash console (QStash → Signing keys), set them on the deployment and redeploy",
    );
  }
  return pass(id, title, "token accepted; signing keys match the account's current and next keys");
}

export async function checkRedis(env: Env): Promise<CheckResult> {
  const [id, title] = ["redis", "Upstash Redis"];
  const redis = new Redis({
    url: env.UPSTASH_REDIS_REST_URL,
    token: env.UPSTASH_REDIS_REST_TOKEN,
    enableTelemetry: false,
    retry: false,
    signal: () => AbortSignal.timeout(PROBE_TIMEOUT_MS),
  });
  try {
    const answer = await redis.ping();
    if (answer !== "PONG")
      return fail(
        id,
        title,
        `PING answered ${JSON.stringify(answer)}`,
        "check UPSTASH_REDIS_REST_URL points at an Upstash Redis REST endpoint",
      );
    return pass(id, title, "answers PING with the token");
  } catch (error) {
    const text = describeError(error);
    // Only an answer from the database can refuse the token. A network failure's text names the host and
    // port, whose digits may read like a status (127.0.0.1:44015), so it is never taken for a refusal.
    const refused = error instanceof errors.UpstashError && /unauthori[sz]ed|WRONGPASS|forbidden/i.test(text);
    return fail(
      id,
      title,
      refused
        ? `the database refused UPSTASH_REDIS_REST_TOKEN: ${text}`
        : `${env.UPSTASH_REDIS_REST_URL} did not answer: ${text}`,
      refused
        ? "copy the REST token (not the read-only one) from the Upstash console → your database → REST API"
        : "check UPSTASH_REDIS_REST_URL and that the database exists and is not paused",
    );
  }
}

/** Resend knows the key, and EMAIL_FROM's domain is verified when the key may read domains. */
export async function checkResend(env: Env): Promise<CheckResult> {
  const [id, title] = ["resend", "Resend key and sender domain"];
  const base = env.RESEND_BASE_URL ?? RESEND_API;
  const domain = senderDomain(env.EMAIL_FROM);
  let answer: JsonAnswer;
  try {
    answer = await getJson(`${base}/domains`, env.RESEND_API_KEY);
  } catch (error) {
    return fail(
      id,
      title,
      `${base} did not answer: ${describeError(error)}`,
      env.RESEND_BASE_URL ? "unset RESEND_BASE_URL outside local development" : "check the network",
    );
  }
  const code = (answer.json as { name?: string } | undefined)?.name;
  if (answer.status === 401 && code === "restricted_api_key") {
    return pass(
      id,
      title,
      `key accepted; it may only send, so the ${domain} domain could not be checked here (check it at resend.com/domains)`,
    );
  }
  if (answer.status === 401 || answer.status === 403) {
    return fail(
      id,
      title,
      `Resend refused RESEND_API_KEY (${code ?? answer.status})`,
      "create an API key at resend.com/api-keys and set RESEND_API_KEY",
      {
        status: answer.status,
        body: snippet(answer.body),
      },
    );
  }
  if (answer.status === 404 && env.RESEND_BASE_URL) {
    // The local look-alike has no domains API (there's no account behind it); prove the key instead.
    const emails = await getJson(`${base}/emails?limit=1`, env.RESEND_API_KEY);
    if (emails.status === 200)
      return pass(id, title, `key accepted by the Resend look-alike at ${base} (any sender domain is accepted there)`);
    return fail(
      id,
      title,
      `the Resend look-alike at ${base} refused RESEND_API_KEY (${emails.status})`,
      'use a key starting with "re_"',
      { status: emails.status, body: snippet(emails.body) },
    );
  }
  const list = (answer.json as { data?: Array<{ name: string; status: string }> } | undefined)?.data;
  if (answer.status !== 200 || !Array.isArray(list)) {
    return fail(
      id,
      title,
      `unexpected answer from ${base}/domains: ${answer.status}`,
      "check RESEND_API_KEY and RESEND_BASE_URL",
      { status: answer.status, body: snippet(answer.body) },
    );
  }
  const found = list.find((entry) => entry.name.toLowerCase() === domain);
  if (!found)
    return fail(
      id,
      title,
      `EMAIL_FROM's domain ${domain} is not in this Resend account`,
      `add and verify ${domain} at resend.com/domains, or set EMAIL_FROM to an address on a verified domain`,
    );
  if (found.status !== "verified")
    return fail(
      id,
      title,
      `EMAIL_FROM's domain ${domain} is ${found.status}, not verified`,
      `add the DNS records Resend shows for ${domain} and wait for it to verify`,
    );
  return pass(id, title, `key accepted; ${domain} is verified`);
}
