import { RetryableError } from "./errors";

/** The run outlived its time budget; answered 504 so QStash retries it later. */
export class JobTimeoutError extends RetryableError {
  constructor(limitMs: number) {
    super(`job timed out after ${limitMs} ms`, undefined, { status: 504 });
  }
}

/** Leave this much of the platform's limit to release the lease and answer before the function is killed. */
export const DEADLINE_MARGIN_MS = 2_000;

/** Milliseconds a run may take: the job's own timeout or the platform's, whichever is shorter, minus the margin. */
export function runBudgetMs(platformMaxSeconds: number, jobTimeoutSeconds?: number): number {
  const limitMs = Math.min(platformMaxSeconds, jobTimeoutSeconds ?? Number.POSITIVE_INFINITY) * 1000;
  return Math.max(limitMs - DEADLINE_MARGIN_MS, Math.min(limitMs, 500));
}

/**
 * Runs `work` with an AbortSignal that fires after `budgetMs`; whichever comes
 * first wins. A handler that ignores the signal is still answered on time.
 */
export async function withDeadline<T>(budgetMs: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new JobTimeoutError(budgetMs);
      controller.abort(error);
      reject(error);
    }, budgetMs);
  });
  try {
    return await Promise.race([work(controller.signal), expired]);
  } finally {
    clearTimeout(timer);
  }
}
