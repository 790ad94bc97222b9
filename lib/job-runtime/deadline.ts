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

/** What a run gets from its budget: the signal that fires when the budget is over. */
export interface RunBudget {
  /** Made the first time it is read (most handlers never read it); already aborted if read after the budget ran out. */
  readonly signal: AbortSignal;
}

/**
 * Runs `work` within `budgetMs`; whichever comes first wins. A handler that
 * ignores the signal is still answered on time. The AbortController behind the
 * signal is only made if `work` reads it: one per delivery is not free, and most
 * jobs never pass it on.
 */
export async function withRunBudget<T>(budgetMs: number, work: (budget: RunBudget) => Promise<T>): Promise<T> {
  let controller: AbortController | undefined;
  let timeout: JobTimeoutError | undefined;
  const budget: RunBudget = {
    get signal() {
      if (!controller) {
        controller = new AbortController();
        if (timeout) controller.abort(timeout);
      }
      return controller.signal;
    },
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timeout = new JobTimeoutError(budgetMs);
      controller?.abort(timeout);
      reject(timeout);
    }, budgetMs);
  });
  try {
    return await Promise.race([work(budget), expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** `withRunBudget` for work that takes the signal itself. */
export function withDeadline<T>(budgetMs: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  return withRunBudget(budgetMs, (budget) => work(budget.signal));
}
