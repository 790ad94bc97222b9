import * as z from "zod/mini";
import { RESEND_DEFAULT_RATE_PER_SECOND } from "./email/pace";
import { ConfigError, DEFAULT_JOB_MAX_BODY_BYTES } from "./job-runtime";

/**
 * Every environment variable the app reads, validated once. This module is the
 * only reader of `process.env`; everything else receives a parsed `Env`.
 * Variable names are Upstash's, Resend's and Vercel's own so existing setups work.
 */
const url = z.url({ protocol: /^https?$/ }).check(z.overwrite((value) => value.replace(/\/+$/, "")));
const optionalText = z.pipe(
  z.optional(z.string()),
  z.transform((value: string | undefined) => (value === "" ? undefined : value)),
);
const text = (minLength = 1) => z.string().check(z.minLength(minLength));
/** A whole number above zero, from the string the environment holds. */
const positiveInt = (fallback: number) => z._default(z.pipe(z.coerce.number(), z.int().check(z.positive())), fallback);

const variables = z.object({
  QSTASH_URL: z._default(url, "https://qstash.upstash.io"),
  QSTASH_TOKEN: text(),
  QSTASH_CURRENT_SIGNING_KEY: text(),
  QSTASH_NEXT_SIGNING_KEY: text(),
  UPSTASH_REDIS_REST_URL: url,
  UPSTASH_REDIS_REST_TOKEN: text(),
  RESEND_API_KEY: text(),
  // Only set in local development or tests, to reach the Resend look-alike.
  RESEND_BASE_URL: z.optional(url),
  // Requests per second Resend allows the team (2 on its default plan): every job that sends email shares this pace.
  RESEND_RATE_LIMIT_PER_SECOND: positiveInt(RESEND_DEFAULT_RATE_PER_SECOND),
  // Sender of every email; must be a domain verified in Resend in production.
  EMAIL_FROM: z._default(text(3), "Acme <onboarding@resend.dev>"),
  // Public base URL of this deployment: QStash calls `${APP_URL}/api/jobs/<name>`.
  APP_URL: z.optional(url),
  // Set by Vercel; used when APP_URL is absent (production domain first).
  VERCEL_PROJECT_PRODUCTION_URL: optionalText,
  VERCEL_URL: optionalText,
  VERCEL_ENV: optionalText,
  // Set by Vercel once Deployment Protection's "Protection Bypass for Automation" has a secret;
  // every publish then forwards it so protected deployments let QStash through.
  VERCEL_AUTOMATION_BYPASS_SECRET: optionalText,
  // Protects /api/admin/* and /admin; admin features are off without it.
  ADMIN_TOKEN: z.optional(text(16)),
  // Vercel Cron sends it as `Authorization: Bearer <CRON_SECRET>`; the cron routes refuse everyone without it.
  CRON_SECRET: z.optional(text(16)),
  // Receives one email per job that ends in the DLQ.
  ADMIN_EMAIL: z.optional(z.email()),
  // HMAC secret of the payment provider's webhook.
  PAYMENTS_WEBHOOK_SECRET: z.optional(text(16)),
  // Seconds the platform lets a function run (Vercel maxDuration); the job's abort signal fires before it.
  JOB_MAX_DURATION_SECONDS: positiveInt(60),
  // Bodies over this get 413 on the job routes and the failure callback before they are read.
  JOB_MAX_BODY_BYTES: positiveInt(DEFAULT_JOB_MAX_BODY_BYTES),
  // IANA zone the recurring schedules (lib/flows/schedules.ts) run in, e.g. cleanup at 02:00 local time.
  SCHEDULES_TIME_ZONE: z._default(text(), "Asia/Ulaanbaatar"),
});

const schema = z.pipe(
  variables,
  z.transform((raw: z.output<typeof variables>, ctx) => {
    const appUrl = raw.APP_URL ?? vercelUrl(raw.VERCEL_ENV, raw.VERCEL_PROJECT_PRODUCTION_URL, raw.VERCEL_URL);
    if (!appUrl) {
      ctx.issues.push({
        code: "custom",
        path: ["APP_URL"],
        message: "required (or VERCEL_PROJECT_PRODUCTION_URL / VERCEL_URL on Vercel)",
        input: raw.APP_URL,
      });
      return z.NEVER;
    }
    return { ...raw, APP_URL: appUrl };
  }),
);

function vercelUrl(vercelEnv?: string, productionHost?: string, deploymentHost?: string): string | undefined {
  // Previews must call themselves, not production, so the deployment URL wins outside production.
  const host = vercelEnv === "production" ? (productionHost ?? deploymentHost) : (deploymentHost ?? productionHost);
  return host ? `https://${host.replace(/\/+$/, "")}` : undefined;
}

export type Env = z.output<typeof schema>;
export type EnvSource = Record<string, string | undefined>;

/** Parses `source`; throws one `ConfigError` that names every missing or malformed variable. */
export function parseEnv(source: EnvSource = process.env): Env {
  // Treat empty strings as unset: `.env` files often carry `NAME=`.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined && value !== ""));
  const result = z.safeParse(schema, cleaned);
  if (result.success) return result.data;
  const variables = [...new Set(result.error.issues.map((issue) => String(issue.path[0] ?? "environment")))];
  const lines = result.error.issues.map((issue) => {
    const name = String(issue.path[0] ?? "environment");
    const missing = issue.code === "invalid_type" && cleaned[name] === undefined;
    return `  ${name}: ${missing ? "missing" : issue.message}`;
  });
  return throwConfig(`Invalid environment, see .env.example:\n${[...new Set(lines)].join("\n")}`, variables);
}

function throwConfig(message: string, variables: string[]): never {
  throw new ConfigError(message, variables);
}

let cached: Env | undefined;

/** The process's parsed environment, validated on first use (not at import, so `next build` needs no secrets). */
export function getEnv(): Env {
  cached ??= parseEnv(readProcessEnv());
  return cached;
}

/** Lists each variable explicitly: bundlers on the Edge runtime inline `process.env.X`, not `process.env`. */
function readProcessEnv(): EnvSource {
  return {
    QSTASH_URL: process.env.QSTASH_URL,
    QSTASH_TOKEN: process.env.QSTASH_TOKEN,
    QSTASH_CURRENT_SIGNING_KEY: process.env.QSTASH_CURRENT_SIGNING_KEY,
    QSTASH_NEXT_SIGNING_KEY: process.env.QSTASH_NEXT_SIGNING_KEY,
    UPSTASH_REDIS_REST_URL: process.env.UPSTASH_REDIS_REST_URL,
    UPSTASH_REDIS_REST_TOKEN: process.env.UPSTASH_REDIS_REST_TOKEN,
    RESEND_API_KEY: process.env.RESEND_API_KEY,
    RESEND_BASE_URL: process.env.RESEND_BASE_URL,
    RESEND_RATE_LIMIT_PER_SECOND: process.env.RESEND_RATE_LIMIT_PER_SECOND,
    EMAIL_FROM: process.env.EMAIL_FROM,
    APP_URL: process.env.APP_URL,
    VERCEL_PROJECT_PRODUCTION_URL: process.env.VERCEL_PROJECT_PRODUCTION_URL,
    VERCEL_URL: process.env.VERCEL_URL,
    VERCEL_ENV: process.env.VERCEL_ENV,
    VERCEL_AUTOMATION_BYPASS_SECRET: process.env.VERCEL_AUTOMATION_BYPASS_SECRET,
    ADMIN_TOKEN: process.env.ADMIN_TOKEN,
    ADMIN_EMAIL: process.env.ADMIN_EMAIL,
    CRON_SECRET: process.env.CRON_SECRET,
    PAYMENTS_WEBHOOK_SECRET: process.env.PAYMENTS_WEBHOOK_SECRET,
    JOB_MAX_DURATION_SECONDS: process.env.JOB_MAX_DURATION_SECONDS,
    JOB_MAX_BODY_BYTES: process.env.JOB_MAX_BODY_BYTES,
    SCHEDULES_TIME_ZONE: process.env.SCHEDULES_TIME_ZONE,
  };
}
