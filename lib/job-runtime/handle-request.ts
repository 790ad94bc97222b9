import { prettifyError, safeParse } from "zod/mini";
import type { Clock } from "./clock";
import { type RunBudget, runBudgetMs, withRunBudget } from "./deadline";
import { readDeliveryHeaders } from "./delivery-headers";
import "./schema-messages";
import { type JobContext, type JobRuntime, runIdempotencyKey } from "./define-job";
import { InvalidSignatureError, NonRetryableError, RetryableError } from "./errors";
import { type Claim, createIdempotencyGuard } from "./idempotency";
import { log } from "./log";
import type { ScriptClient } from "./redis-scripts";
import { type AnyJobRegistry, findJob } from "./registry";
import { bodyTooLarge, DEFAULT_JOB_MAX_BODY_BYTES, readBodyWithin } from "./read-body";
import { errorToResponse, json, nonRetryable } from "./respond";
import { jobUrl } from "./urls";
import type { VerifiedToken, Verifier } from "./verify";
import { setOutcome, step, withDeliverySpan, type DeliveryOutcome } from "./tracing";
import type { Span } from "@opentelemetry/api";

/** How long a lease outlives its run's budget, for a run that dies without releasing it. */
export const LEASE_GRACE_MS = 30_000;

/** What the job route needs from the app, and nothing more. */
export interface JobRouteDeps<Deps extends object = object> {
  /** Public base URL the app publishes to, without a trailing slash. */
  appUrl: string;
  /** Runs the idempotency lease's scripts: `createRedisScripts(...)`, or an `@upstash/redis` client. */
  redis: ScriptClient;
  clock: Clock;
  verify: Verifier;
  /** Seconds the platform lets the function run (Vercel `maxDuration`). */
  maxDurationSeconds: number;
  /** Larger bodies are refused (413) before they are read. @default DEFAULT_JOB_MAX_BODY_BYTES */
  maxBodyBytes?: number;
  /** What every handler gets besides the delivery facts. */
  jobDeps: Deps;
  /** Which route this is; it decides the URL the signature must have been made for. */
  runtime: JobRuntime;
  /** Override the run budget (tests). */
  budgetMs?(job: { timeout?: number }): number;
  /** Unique id per attempt for the idempotency lease. @default crypto.randomUUID */
  leaseId?(): string;
}

/**
 * verify → parse → claim → run → respond. Every early exit before the claim is
 * free of side effects: nothing touches Redis until the signature, the job name
 * and the payload are all known good.
 */
export async function handleJobRequest(
  registry: AnyJobRegistry,
  jobName: string,
  request: Request,
  deps: JobRouteDeps,
): Promise<Response> {
  // One consumer span per delivery, continuing the producer's trace from the forwarded traceparent.
  const delivery = readDeliveryHeaders(request.headers);
  return withDeliverySpan(
    { headers: request.headers, jobName, messageId: delivery.messageId ?? undefined, retried: delivery.retried },
    (span) => runDelivery(registry, jobName, request, deps, delivery, span),
  );
}

async function runDelivery(
  registry: AnyJobRegistry,
  jobName: string,
  request: Request,
  deps: JobRouteDeps,
  delivery: ReturnType<typeof readDeliveryHeaders>,
  span: Span,
): Promise<Response> {
  const answer = (outcome: DeliveryOutcome, response: Response, error?: unknown) => {
    setOutcome(span, outcome, error);
    return response;
  };
  // Bounded before the signature is checked: an unsigned post must not cost more than a real delivery.
  const maxBodyBytes = deps.maxBodyBytes ?? DEFAULT_JOB_MAX_BODY_BYTES;
  const read = await readBodyWithin(request, maxBodyBytes);
  if (!read.ok) {
    log.warn("body_too_large", { job: jobName, error: read.reason, limit: maxBodyBytes });
    return answer("rejected", bodyTooLarge(maxBodyBytes));
  }
  const body = read.text;
  const job = findJob(registry, jobName);

  let token: VerifiedToken;
  try {
    // Verify against the URL we publish to, not request.url: behind Vercel's proxy the latter differs.
    token = await step("verify", () =>
      deps.verify({
        signature: request.headers.get("upstash-signature"),
        body,
        expectedUrl: jobUrl(deps.appUrl, { name: jobName, runtime: deps.runtime }),
      }),
    );
  } catch (error) {
    if (error instanceof InvalidSignatureError) {
      log.warn("signature_rejected", { job: jobName, error: error.message });
      return answer("rejected", errorToResponse(error));
    }
    throw error;
  }

  if (!job) return answer("non_retryable", nonRetryable(`unknown job "${jobName}"`, { job: jobName }));

  const messageId = delivery.messageId;
  if (!messageId) return answer("non_retryable", nonRetryable("missing Upstash-Message-Id header", { job: jobName }));
  const details = { job: jobName, messageId };
  const jobLog = log.with(details);

  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    return answer("non_retryable", nonRetryable("body is not valid JSON", details));
  }
  const parsed = safeParse(job.schema, raw);
  if (!parsed.success) {
    return answer(
      "non_retryable",
      nonRetryable(`invalid payload: ${prettifyError(parsed.error)}`, {
        ...details,
        issues: parsed.error.issues.map(({ path, message }) => ({ path, message })),
      }),
    );
  }
  const payload = parsed.data;

  const idempotencyKey = runIdempotencyKey(jobName, job.idempotencyKey ? job.idempotencyKey(payload) : messageId);
  const budgetMs = deps.budgetMs?.(job) ?? runBudgetMs(deps.maxDurationSeconds, job.timeout);
  const guard = createIdempotencyGuard(deps.redis, () => deps.clock.now());
  let claim: Claim;
  try {
    claim = await step("claim", () =>
      guard.claim({
        jobName,
        idempotencyKey,
        messageId,
        // A crashed run must not block its retries forever: the lease outlives the run budget only slightly,
        // and once the budget is over (the run was stopped or killed) the next delivery may take it at once.
        leaseMs: budgetMs + LEASE_GRACE_MS,
        deadlineMs: deps.clock.now() + budgetMs,
        nowMs: deps.clock.now(),
        leaseId: deps.leaseId?.() ?? crypto.randomUUID(),
        token,
      }),
    );
  } catch (error) {
    // Without the guard we can't promise a single run; let QStash retry once Redis is back.
    jobLog.error("idempotency_unavailable", { error });
    return answer(
      "retry",
      errorToResponse(new RetryableError("idempotency store unavailable", undefined, { cause: error }), details),
      error,
    );
  }

  if (claim.state === "done") {
    jobLog.info("duplicate_skipped", { firstMessageId: claim.messageId });
    return answer("duplicate", json(200, { ok: true, duplicate: true, ...details }));
  }
  if (claim.state === "replay") {
    // This exact signed request was seen before: a replay, whatever message id it now carries.
    jobLog.warn("replay_refused", { jti: token.jti });
    return answer("duplicate", json(200, { ok: true, duplicate: true, ...details }));
  }
  if (claim.state === "running") {
    // Come back when the lease ends: QStash waits Retry-After before its next attempt.
    const retryAfter = String(Math.max(1, Math.ceil(claim.retryAfterMs / 1_000)));
    return answer(
      "busy",
      json(
        409,
        { error: "an earlier delivery of this job is still running", retryable: true, ...details },
        { "Retry-After": retryAfter },
      ),
    );
  }

  try {
    const result = await step("handler", () =>
      withRunBudget(budgetMs, (budget) =>
        job.handler(
          payload,
          handlerContext(
            deps.jobDeps,
            {
              jobName,
              messageId,
              idempotencyKey,
              // QStash's Upstash-Retried, unsigned: for messages and logs only. The run record counts attempts itself.
              retried: delivery.retried,
              maxRetries: job.retries,
              log: jobLog,
            },
            budget,
          ),
        ),
      ),
    );
    await step("complete", () => claim.lease.complete(result ?? undefined));
    jobLog.info("job_succeeded", { attempt: claim.attempt, upstashRetried: delivery.retried });
    return answer("succeeded", json(200, { ok: true, ...details, ...(result ? { result } : {}) }));
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    await claim.lease.release(message);
    if (error instanceof NonRetryableError) jobLog.warn("job_failed", { error: message });
    else jobLog.error("job_failed", { error: message });
    const outcome = error instanceof NonRetryableError ? "non_retryable" : error instanceof RetryableError ? "retry" : "failed";
    return answer(outcome, errorToResponse(error, details), error);
  }
}

/** A delivery's facts as the handler sees them; its `signal` comes from the run's budget when first read. */
type DeliveryFacts = Omit<JobContext, "signal">;
const FACT_NAMES: ReadonlyArray<keyof JobContext> = [
  "jobName",
  "messageId",
  "idempotencyKey",
  "retried",
  "maxRetries",
  "log",
  "signal",
];

/**
 * The delivery facts plus the app's dependencies. The dependencies are the
 * context's prototype, copied as property descriptors rather than values: a
 * dependency the app builds on first use (a getter) stays a getter, so a
 * handler that never sends email never loads the email SDK. The delivery
 * facts win over a dependency of the same name.
 */
function handlerContext<Deps extends object>(jobDeps: Deps, facts: DeliveryFacts, budget: RunBudget): JobContext & Deps {
  const DeliveryContext = contextClassFor(jobDeps);
  return new DeliveryContext(facts, budget) as JobContext & Deps;
}

type DeliveryContextClass = new (facts: DeliveryFacts, budget: RunBudget) => JobContext;

/**
 * One class per dependency object: the app builds its dependencies once and hands the same object
 * to every delivery, so a context costs one small object instead of a property definition per
 * dependency (which cost more than all the rest of the handler call).
 */
const contextClassByDeps = new WeakMap<object, DeliveryContextClass>();

function contextClassFor(jobDeps: object): DeliveryContextClass {
  let DeliveryContext = contextClassByDeps.get(jobDeps);
  if (!DeliveryContext) {
    // Without the facts' names, so setting a fact never runs a dependency's setter or trips on its getter.
    const dependencies = Object.getOwnPropertyDescriptors(jobDeps) as Record<string, PropertyDescriptor>;
    for (const name of FACT_NAMES) delete dependencies[name];
    const Context = class implements JobContext {
      readonly jobName: string;
      readonly messageId: string;
      readonly idempotencyKey: string;
      readonly retried: number;
      readonly maxRetries: number;
      readonly log: JobContext["log"];
      readonly #budget: RunBudget;
      constructor(facts: DeliveryFacts, budget: RunBudget) {
        this.jobName = facts.jobName;
        this.messageId = facts.messageId;
        this.idempotencyKey = facts.idempotencyKey;
        this.retried = facts.retried;
        this.maxRetries = facts.maxRetries;
        this.log = facts.log;
        this.#budget = budget;
      }
      /** Read lazily: most handlers never take the signal, and making it is not free. */
      get signal(): AbortSignal {
        return this.#budget.signal;
      }
    };
    Object.setPrototypeOf(Context.prototype, Object.create(Object.prototype, dependencies));
    DeliveryContext = Context;
    contextClassByDeps.set(jobDeps, DeliveryContext);
  }
  return DeliveryContext;
}
