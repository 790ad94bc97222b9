import { Resend } from "resend";
import { NonRetryableError, RetryableError } from "../job-runtime";

export interface EmailMessage {
  to: string | string[];
  subject: string;
  html: string;
  text: string;
  /** Resend drops a second send with the same key for 24 h; pass the job's idempotency key. */
  idempotencyKey: string;
  /** ASCII letters, digits, `_` and `-` only. */
  tags?: Array<{ name: string; value: string }>;
  replyTo?: string;
}

export interface EmailFailure {
  /** Resend's error name (`rate_limit_exceeded`, `validation_error`, …) */
  name: string;
  /** HTTP status, or null when Resend could not be reached. */
  statusCode: number | null;
  message: string;
  /** From Resend's `retry-after` header, when present. */
  retryAfterSeconds?: number;
}

/** Resend answers errors as values, never throws; so do we. The job maps a failure with `toJobError`. */
type SendResult = { ok: true; id: string } | { ok: false; error: EmailFailure };

export interface EmailSender {
  send(message: EmailMessage, options?: { signal?: AbortSignal }): Promise<SendResult>;
}

export interface EmailSenderConfig {
  apiKey: string;
  /** Overrides https://api.resend.com (the local look-alike in development). No trailing slash. */
  baseUrl?: string;
  /** `Name <address>` of the sender. */
  from: string;
}

export function createEmailSender(config: EmailSenderConfig): EmailSender {
  const resend = new Resend(config.apiKey, config.baseUrl ? { baseUrl: config.baseUrl } : undefined);
  return {
    async send(message, options) {
      const { data, error, headers } = await resend.emails.send(
        {
          from: config.from,
          to: message.to,
          subject: message.subject,
          html: message.html,
          text: message.text,
          ...(message.tags && { tags: message.tags }),
          ...(message.replyTo && { replyTo: message.replyTo }),
        },
        { idempotencyKey: message.idempotencyKey.slice(0, 256), ...(options?.signal && { signal: options.signal }) },
      );
      if (data) return { ok: true, id: data.id };
      const retryAfter = Number(headers?.["retry-after"]);
      return {
        ok: false,
        error: {
          name: error?.name ?? "application_error",
          statusCode: error?.statusCode ?? null,
          message: error?.message ?? "unknown Resend error",
          ...(Number.isFinite(retryAfter) && retryAfter >= 0 && { retryAfterSeconds: retryAfter }),
        },
      };
    },
  };
}

/** Failures worth another attempt with the same idempotency key (Resend's own retry guidance). */
const RETRYABLE_NAMES = new Set([
  "rate_limit_exceeded",
  "application_error",
  "internal_server_error",
  "concurrent_idempotent_requests",
]);

/**
 * Maps a failed send to the error that tells QStash what to do next. A rate-limited send
 * comes back after Resend's `retry-after` plus up to as much again (whole seconds, from
 * `random`), so refused sends don't all return in the same second.
 */
export function toJobError(failure: EmailFailure, random: () => number = Math.random): RetryableError | NonRetryableError {
  const summary = `Resend ${failure.statusCode ?? "unreachable"} ${failure.name}: ${failure.message}`;
  const transient =
    RETRYABLE_NAMES.has(failure.name) || failure.statusCode === null || failure.statusCode === 429 || failure.statusCode >= 500;
  // Quotas reset daily or monthly; QStash retries can't outwait them, so send it to the DLQ for a later replay.
  if (failure.name === "daily_quota_exceeded" || failure.name === "monthly_quota_exceeded" || !transient) {
    return new NonRetryableError(summary);
  }
  const rateLimited = failure.statusCode === 429 || failure.name === "rate_limit_exceeded";
  const retryAfterSeconds = rateLimited ? withJitter(failure.retryAfterSeconds ?? 1, random) : failure.retryAfterSeconds;
  return new RetryableError(summary, retryAfterSeconds, {
    status: rateLimited ? 429 : 503,
  });
}

/** `seconds` rounded up (at least 1), plus 0 to that many whole seconds more. */
function withJitter(seconds: number, random: () => number): number {
  const base = Math.max(1, Math.ceil(seconds));
  return base + Math.min(base, Math.floor(random() * (base + 1)));
}

/** Sends or throws the mapped job error; returns Resend's email id. */
export async function sendOrThrow(
  sender: EmailSender,
  message: EmailMessage,
  options?: { signal?: AbortSignal },
): Promise<string> {
  const result = await sender.send(message, options);
  if (!result.ok) throw toJobError(result.error);
  return result.id;
}
