import { InvalidSignatureError, NonRetryableError, RetryableError } from "./errors";

/** QStash moves a message straight to the DLQ on this status plus the header below. */
export const NON_RETRYABLE_STATUS = 489;
export const NON_RETRYABLE_HEADER = "Upstash-NonRetryable-Error";

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

export function nonRetryable(error: string, details: Record<string, unknown> = {}): Response {
  return json(NON_RETRYABLE_STATUS, { error, ...details }, { [NON_RETRYABLE_HEADER]: "true" });
}

/** The one place an error becomes an answer QStash understands. */
export function errorToResponse(error: unknown, details: Record<string, unknown> = {}): Response {
  // Which check failed (and the URL or body hash we expected) stays in the log line: it only helps a forger.
  if (error instanceof InvalidSignatureError) return json(401, { error: "invalid signature" });
  if (error instanceof NonRetryableError) return nonRetryable(error.message, details);
  if (error instanceof RetryableError) {
    const headers: Record<string, string> =
      error.retryAfterSeconds === undefined ? {} : { "Retry-After": String(Math.max(0, Math.ceil(error.retryAfterSeconds))) };
    return json(error.status, { error: error.message, retryable: true, ...details }, headers);
  }
  // Unknown failures stay unknown: a 500 lets QStash retry with its backoff.
  return json(500, { error: "job failed", ...details });
}
