/**
 * What an answer from the deployment means. The job route answers strangers
 * with our own JSON 401; anything else is somebody else talking (Vercel's
 * login page, a 404 for a route that isn't deployed, a redirect to another host)
 * or the job itself failing. Shared by the route probes and the delivery check,
 * which sees the same answers through QStash's events.
 */
export interface Answer {
  status?: number;
  contentType?: string;
  body: string;
  location?: string;
  /** Network error or timeout instead of an answer. */
  error?: string;
}

type Cause =
  | "protection"
  | "missing-route"
  | "redirect"
  | "wrong-keys"
  | "url-mismatch"
  | "timeout"
  | "unreachable"
  | "job-failed"
  | "unexpected";

export interface Diagnosis {
  cause: Cause;
  detail: string;
  fix: string;
}

const looksLikeHtml = (answer: Answer) => /html/i.test(answer.contentType ?? "") || /^\s*<(!doctype|html)/i.test(answer.body);

function errorText(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { error?: unknown };
    return typeof parsed.error === "string" ? parsed.error : undefined;
  } catch {
    return undefined;
  }
}

const BYPASS_FIX =
  'Deployment Protection answered instead of the app: in Vercel → Settings → Deployment Protection → "Protection Bypass for Automation", create the secret; Vercel then sets VERCEL_AUTOMATION_BYPASS_SECRET and every publish forwards it (redeploy, and set it in the doctor\'s environment too)';

/** Reads an answer the app should have given as our JSON 401. */
export function diagnose(
  answer: Answer,
  context: {
    calledUrl: string;
    /** Whether the QStash check found the configured signing keys equal to the account's; undefined when unknown. */
    keysMatch?: boolean;
  },
): Diagnosis {
  if (answer.error !== undefined) {
    if (/timeout|timed out/i.test(answer.error)) return timeout(answer.error);
    return {
      cause: "unreachable",
      detail: `could not reach ${context.calledUrl}: ${answer.error}`,
      fix: "check the base URL (--url or APP_URL) and that the deployment is live",
    };
  }
  const status = answer.status ?? 0;
  if (status === 401 && looksLikeHtml(answer))
    return { cause: "protection", detail: "401 with an HTML page (Vercel's login page)", fix: BYPASS_FIX };
  if (status === 404)
    return {
      cause: "missing-route",
      detail: `404 from ${context.calledUrl}: the route is not deployed there`,
      fix: "deploy app/api/jobs/[job]/route.ts and app/api/qstash/failure/route.ts, and check the base URL has no extra path",
    };
  if (status >= 300 && status < 400) {
    return {
      cause: "redirect",
      detail: `${status} redirect to ${answer.location ?? "another URL"}: QStash does not follow redirects`,
      fix: `set APP_URL to the URL the deployment answers on without redirecting${answer.location ? ` (${new URL(answer.location, context.calledUrl).origin})` : ""}`,
    };
  }
  const error = errorText(answer.body) ?? "";
  if (status === 401 && /invalid subject/i.test(error)) {
    return {
      cause: "url-mismatch",
      detail: `the route checked the signature against another URL (${error})`,
      fix: `set APP_URL on the deployment to the base URL QStash calls (${new URL(context.calledUrl).origin}) and redeploy`,
    };
  }
  // Our routes answer only "invalid signature" (the reason stays in their log), so the keys check
  // decides: keys equal to the account's mean the URL the token was made for differs from APP_URL.
  if (status === 401 && /signature/i.test(error) && context.keysMatch === true) {
    return {
      cause: "url-mismatch",
      detail: `the route rejected QStash's signature although the signing keys are the account's: it checked the token against another URL (${error})`,
      fix: `set APP_URL on the deployment to the base URL QStash calls (${new URL(context.calledUrl).origin}) and redeploy`,
    };
  }
  if (status === 401 && /signature/i.test(error)) {
    return {
      cause: "wrong-keys",
      detail: `the route rejected QStash's signature (${error})`,
      fix: "set QSTASH_CURRENT_SIGNING_KEY and QSTASH_NEXT_SIGNING_KEY on the deployment to the account's keys (Upstash console → QStash) and redeploy",
    };
  }
  if (status === 504 || /timed out/i.test(error)) return timeout(error || `status ${status}`);
  if (status >= 500 || status === 489)
    return {
      cause: "job-failed",
      detail: `the job answered ${status}${error ? `: ${error}` : ""}`,
      fix: "read the deployment's function logs for this message id",
    };
  return {
    cause: "unexpected",
    detail: `unexpected ${status} answer`,
    fix: "compare the body below with what the job route sends",
  };
}

function timeout(what: string): Diagnosis {
  return {
    cause: "timeout",
    detail: `the run took longer than it may (${what})`,
    fix: "make the job faster, or raise maxDuration in app/api/jobs/[job]/route.ts and JOB_MAX_DURATION_SECONDS together (and the job's timeout)",
  };
}
