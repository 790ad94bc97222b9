import { z } from "zod";
import { InvalidSignatureError, NonRetryableError, RetryableError } from "../errors";
import { createIdempotencyGuard, type Claim } from "../idempotency/guard";
import { readDeliveryHeaders } from "../qstash/headers";
import { errorToResponse, json, nonRetryable } from "../qstash/respond";
import { jobUrl } from "../qstash/urls";
import type { Verifier } from "../qstash/verify";
import type { Services } from "../services";
import { runBudgetMs, withDeadline } from "./deadline";
import type { JobDefinition, JobRuntime } from "./define-job";

export interface JobRouteDeps {
  services: Services;
  verify: Verifier;
  /** Which route this is; it decides the URL the signature must have been made for. */
  runtime: JobRuntime;
  /** Override the run budget (tests). */
  budgetMs?(job: JobDefinition): number;
  /** Unique id per attempt for the idempotency lease. @default crypto.randomUUID */
  leaseId?(): string;
}

export type JobRegistry = Readonly<Record<string, JobDefinition>>;

/**
 * verify → parse → claim → run → respond. Every early exit before the claim is
 * free of side effects: nothing touches Redis until the signature, the job name
 * and the payload are all known good.
 */
export async function handleJobRequest(
  registry: JobRegistry,
  jobName: string,
  request: Request,
  deps: JobRouteDeps,
): Promise<Response> {
  const body = await request.text();
  const { services } = deps;
  const job = Object.hasOwn(registry, jobName) ? registry[jobName] : undefined;

  try {
    // Verify against the URL we publish to, not request.url: behind Vercel's proxy the latter differs.
    await deps.verify({
      signature: request.headers.get("upstash-signature"),
      body,
      expectedUrl: jobUrl(services.env.APP_URL, { name: jobName, runtime: deps.runtime }),
    });
  } catch (error) {
    if (error instanceof InvalidSignatureError) {
      log("warn", { event: "signature_rejected", job: jobName, reason: error.message });
      return errorToResponse(error);
    }
    throw error;
  }

  if (!job) return nonRetryable(`unknown job "${jobName}"`, { job: jobName });

  const delivery = readDeliveryHeaders(request.headers);
  const messageId = delivery.messageId;
  if (!messageId) return nonRetryable("missing Upstash-Message-Id header", { job: jobName });
  const details = { job: jobName, messageId };

  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    return nonRetryable("body is not valid JSON", details);
  }
  const parsed = job.schema.safeParse(raw);
  if (!parsed.success) {
    return nonRetryable(`invalid payload: ${z.prettifyError(parsed.error)}`, {
      ...details,
      issues: parsed.error.issues.map(({ path, message }) => ({ path, message })),
    });
  }
  const payload = parsed.data;

  const key = job.idempotencyKey ? job.idempotencyKey(payload) : messageId;
  const budgetMs = deps.budgetMs?.(job) ?? runBudgetMs(services.env.JOB_MAX_DURATION_SECONDS, job.timeout);
  const guard = createIdempotencyGuard(services.redis, () => services.clock.now());
  let claim: Claim;
  try {
    claim = await guard.claim({
      jobName,
      key,
      messageId,
      retried: delivery.retried,
      // A crashed run must not block its retries forever: the lease outlives the run budget only slightly.
      leaseMs: budgetMs + 30_000,
      nowMs: services.clock.now(),
      leaseId: deps.leaseId?.() ?? crypto.randomUUID(),
    });
  } catch (error) {
    // Without the guard we can't promise a single run; let QStash retry once Redis is back.
    log("error", { event: "idempotency_unavailable", ...details, error: String(error) });
    return errorToResponse(new RetryableError("idempotency store unavailable", undefined, { cause: error }), details);
  }

  if (claim.state === "done") {
    log("info", { event: "duplicate_skipped", ...details, firstMessageId: claim.messageId });
    return json(200, { ok: true, duplicate: true, ...details });
  }
  if (claim.state === "running") {
    return json(409, { error: "an earlier delivery of this job is still running", retryable: true, ...details }, { "Retry-After": "10" });
  }

  try {
    const result = await withDeadline(budgetMs, (signal) =>
      job.handler(payload, {
        messageId,
        idempotencyKey: `${jobName}/${key}`,
        retried: delivery.retried,
        maxRetries: job.retries,
        signal,
        services,
      }),
    );
    await claim.lease.complete(result ?? undefined);
    log("info", { event: "job_succeeded", ...details, retried: delivery.retried });
    return json(200, { ok: true, ...details, ...(result ? { result } : {}) });
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    await claim.lease.release(message);
    log(error instanceof NonRetryableError ? "warn" : "error", { event: "job_failed", ...details, error: message });
    return errorToResponse(error, details);
  }
}

function log(level: "info" | "warn" | "error", fields: Record<string, unknown>) {
  console[level](JSON.stringify({ level, ...fields }));
}
