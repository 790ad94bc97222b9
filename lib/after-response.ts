import { after } from "next/server";

/**
 * Runs bookkeeping after the response has been sent: inside a Next.js request
 * (route handler, server action, page) through `after()`, which keeps the
 * function alive until it finishes; anywhere else (scripts, tests) it starts
 * now and the caller does not wait for it. The task logs its own failures.
 */
export function afterResponse(task: () => Promise<void>): void {
  try {
    after(task);
  } catch {
    void task();
  }
}
