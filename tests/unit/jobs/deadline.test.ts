import { afterEach, describe, expect, test, vi } from "vitest";
import { DEADLINE_MARGIN_MS, JobTimeoutError, runBudgetMs, withDeadline, withRunBudget } from "@/lib/job-runtime";

afterEach(() => {
  vi.useRealTimers();
});

describe("runBudgetMs", () => {
  test("leaves a margin before the platform's limit", () => {
    expect(runBudgetMs(60)).toBe(60_000 - DEADLINE_MARGIN_MS);
  });
  test("the job's own shorter timeout wins", () => {
    expect(runBudgetMs(60, 10)).toBe(10_000 - DEADLINE_MARGIN_MS);
  });
  test("never collapses to zero for tiny limits", () => {
    expect(runBudgetMs(1)).toBe(500);
  });
});

describe("withDeadline", () => {
  test("returns the work's result when it finishes in time", async () => {
    await expect(withDeadline(1000, async () => "done")).resolves.toBe("done");
  });

  test("aborts the signal and rejects with a retryable timeout when the budget runs out", async () => {
    vi.useFakeTimers();
    let seen: AbortSignal | undefined;
    const never = withDeadline(5_000, (signal) => {
      seen = signal;
      return new Promise<never>(() => {});
    });
    const outcome = expect(never).rejects.toBeInstanceOf(JobTimeoutError);
    await vi.advanceTimersByTimeAsync(5_000);
    await outcome;
    expect(seen?.aborted).toBe(true);
    expect(seen?.reason).toBeInstanceOf(JobTimeoutError);
  });

  test("a handler that honours the signal stops early", async () => {
    vi.useFakeTimers();
    let steps = 0;
    const run = withDeadline(3_000, async (signal) => {
      while (!signal.aborted && steps < 100) {
        steps++;
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
      return steps;
    });
    const outcome = expect(run).rejects.toBeInstanceOf(JobTimeoutError);
    await vi.advanceTimersByTimeAsync(10_000);
    await outcome;
    expect(steps).toBeLessThanOrEqual(4);
  });
});

describe("withRunBudget", () => {
  test("makes no AbortController for work that never reads the signal", async () => {
    let made = 0;
    vi.stubGlobal(
      "AbortController",
      class extends AbortController {
        constructor() {
          super();
          made++;
        }
      },
    );
    try {
      await expect(withRunBudget(1_000, async () => "done")).resolves.toBe("done");
      expect(made).toBe(0);
      await expect(withRunBudget(1_000, async (budget) => budget.signal.aborted)).resolves.toBe(false);
      expect(made).toBe(1);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  test("a signal first read after the budget ran out is already aborted with the timeout", async () => {
    vi.useFakeTimers();
    let readLate: (() => AbortSignal) | undefined;
    const run = withRunBudget(2_000, (budget) => {
      readLate = () => budget.signal;
      return new Promise<never>(() => {});
    });
    const outcome = expect(run).rejects.toBeInstanceOf(JobTimeoutError);
    await vi.advanceTimersByTimeAsync(2_000);
    await outcome;
    const signal = readLate!();
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBeInstanceOf(JobTimeoutError);
  });
});
