import { parseEnv, type Env } from "@/lib/env";
import { ConfigError } from "@/lib/job-runtime";
import { fail, pass, type CheckResult } from "./check";

const ID = "environment";
const TITLE = "Environment";

/** The address part of `Name <a@b>` or `a@b`. */
export function senderDomain(from: string): string | undefined {
  const match = /<?([^<>\s@]+)@([^<>\s@]+)>?\s*$/.exec(from.trim());
  return match?.[2]?.toLowerCase();
}

const isLoopback = (url: string) => ["localhost", "127.0.0.1", "[::1]"].includes(new URL(url).hostname);

/** Shapes the schema can't know about: key prefixes the services hand out, and what must never reach production. */
function shapeProblems(env: Env): string[] {
  const problems: string[] = [];
  for (const name of ["QSTASH_CURRENT_SIGNING_KEY", "QSTASH_NEXT_SIGNING_KEY"] as const) {
    if (!env[name].startsWith("sig_")) problems.push(`${name} should start with "sig_" (copy it from the QStash console)`);
  }
  if (env.QSTASH_CURRENT_SIGNING_KEY === env.QSTASH_NEXT_SIGNING_KEY)
    problems.push("QSTASH_CURRENT_SIGNING_KEY and QSTASH_NEXT_SIGNING_KEY are the same key");
  if (!env.RESEND_API_KEY.startsWith("re_")) problems.push('RESEND_API_KEY should start with "re_"');
  if (!senderDomain(env.EMAIL_FROM)) problems.push(`EMAIL_FROM is not an address: ${JSON.stringify(env.EMAIL_FROM)}`);
  if (!env.APP_URL.startsWith("https://") && !isLoopback(env.APP_URL))
    problems.push(`APP_URL must be https outside this machine: ${env.APP_URL}`);
  if (env.VERCEL_ENV === "production" && env.RESEND_BASE_URL)
    problems.push("RESEND_BASE_URL is set in production: email would go to a look-alike, not Resend");
  return problems;
}

/** Parses the environment the app would see; every later check needs it. */
export function checkEnvironment(source: Record<string, string | undefined>): { result: CheckResult; env?: Env } {
  let env: Env;
  try {
    env = parseEnv(source);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const detail = error.message
      .split("\n")
      .slice(1)
      .map((line) => line.trim())
      .join("; ");
    return {
      result: fail(
        ID,
        TITLE,
        detail,
        `set ${error.variables.join(", ")} (see .env.example; on Vercel: Settings → Environment Variables, then redeploy)`,
      ),
    };
  }
  const problems = shapeProblems(env);
  if (problems.length > 0) return { result: fail(ID, TITLE, problems.join("; "), "correct the variables named above"), env };
  return { result: pass(ID, TITLE, "complete and well formed"), env };
}
