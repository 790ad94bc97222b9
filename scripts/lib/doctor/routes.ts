import { describeError, fail, pass, snippet, type CheckResult } from "./check";
import { diagnose, type Answer } from "./diagnose";
import { PROBE_TIMEOUT_MS } from "./accounts";
import { PROTECTION_BYPASS_HEADER } from "@/lib/job-runtime";

/** One unsigned POST, redirects not followed: QStash doesn't follow them either. */
async function probe(url: string, bypassSecret?: string): Promise<Answer> {
  try {
    const response = await fetch(url, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/json", ...(bypassSecret && { [PROTECTION_BYPASS_HEADER]: bypassSecret }) },
      body: "{}",
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
    return {
      status: response.status,
      contentType: response.headers.get("content-type") ?? undefined,
      location: response.headers.get("location") ?? undefined,
      body: await response.text(),
    };
  } catch (error) {
    return { body: "", error: describeError(error) };
  }
}

/** A route QStash calls must turn away an unsigned request with our JSON 401, before anything else happens. */
export async function checkSignedRoute(options: {
  id: string;
  title: string;
  url: string;
  bypassSecret?: string;
}): Promise<CheckResult> {
  const answer = await probe(options.url, options.bypassSecret);
  const isOurs = answer.status === 401 && /json/i.test(answer.contentType ?? "") && /signature/i.test(answer.body);
  if (isOurs) return pass(options.id, options.title, `${options.url} turns away an unsigned POST with the app's JSON 401`);
  const diagnosis = diagnose(answer, { calledUrl: options.url });
  return fail(options.id, options.title, diagnosis.detail, diagnosis.fix, {
    ...(answer.status !== undefined && { status: answer.status }),
    body: snippet(answer.body),
    ...(answer.error !== undefined && { error: answer.error }),
  });
}
