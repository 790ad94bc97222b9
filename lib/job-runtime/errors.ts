/**
 * Error classes that tell QStash what to do next. The route maps each to one
 * HTTP answer in `lib/job-runtime/respond.ts`; everything else becomes a 500 and is retried.
 */
export class JobError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Retrying can't help (bad payload, unknown user): 489 + Upstash-NonRetryable-Error, straight to the DLQ. */
export class NonRetryableError extends JobError {}

/** Statuses a retryable answer may carry; all of them make QStash retry. */
export type RetryableStatus = 409 | 429 | 503 | 504;

/** Try again later. `retryAfterSeconds` becomes the Retry-After header QStash honours. */
export class RetryableError extends JobError {
  /** HTTP status of the answer. @default 503 */
  readonly status: RetryableStatus;
  constructor(
    message: string,
    /** Seconds QStash should wait before the next attempt; `undefined` keeps its backoff. */
    readonly retryAfterSeconds?: number,
    options?: { cause?: unknown; status?: RetryableStatus },
  ) {
    super(message, options);
    this.status = options?.status ?? 503;
  }
}

/** The request did not come from QStash (or not for this URL): 401, no side effect. */
export class InvalidSignatureError extends JobError {}

/** A producer tried to publish a payload its job's schema rejects; nothing was sent. */
export class InvalidPayloadError extends JobError {
  constructor(
    readonly jobName: string,
    /** zod issues, each with `path` and `message`. */
    readonly issues: ReadonlyArray<{ path: PropertyKey[]; message: string; code?: string }>,
    message: string,
  ) {
    super(message);
  }
}

/** One or more environment variables are missing or malformed; the message names each. */
export class ConfigError extends Error {
  constructor(
    message: string,
    /** Names of the offending variables. */
    readonly variables: string[],
  ) {
    super(message);
    this.name = "ConfigError";
  }
}
