/** One line of the doctor's report. */
type CheckStatus = "pass" | "fail" | "skip";

export interface CheckResult {
  /** Stable id for --json consumers and tests, e.g. "qstash-keys". */
  id: string;
  title: string;
  status: CheckStatus;
  /** What was found, in one sentence. */
  detail: string;
  /** What to do about a failure, in one sentence. */
  fix?: string;
  /** What the far side answered, when that is the evidence (status and the start of the body). */
  observed?: { status?: number; body?: string; error?: string };
}

export const pass = (id: string, title: string, detail: string): CheckResult => ({ id, title, status: "pass", detail });

export const fail = (
  id: string,
  title: string,
  detail: string,
  fix: string,
  observed?: CheckResult["observed"],
): CheckResult => ({
  id,
  title,
  status: "fail",
  detail,
  fix,
  ...(observed && { observed }),
});

export const skip = (id: string, title: string, reason: string): CheckResult => ({ id, title, status: "skip", detail: reason });

const MARK: Record<CheckStatus, string> = { pass: "✔", fail: "✘", skip: "–" };

/** `✔ Title: detail` or `✘ Title: detail → fix: …`, always a single line. */
export function formatCheck(result: CheckResult): string {
  const oneLine = (text: string) => text.replace(/\s+/g, " ").trim();
  const fix = result.status === "fail" && result.fix ? ` → fix: ${oneLine(result.fix)}` : "";
  return `${MARK[result.status]} ${result.title}: ${oneLine(result.detail)}${fix}`;
}

/** Runs a check so that an unexpected exception becomes its ✘ line instead of ending the report. */
export async function guarded(id: string, title: string, fix: string, check: () => Promise<CheckResult>): Promise<CheckResult> {
  try {
    return await check();
  } catch (error) {
    return fail(id, title, `could not run: ${describeError(error)}`, fix);
  }
}

export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : "";
  return `${error.message}${cause}`;
}

/** First characters of a body, for evidence lines. */
export function snippet(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}
