/** The printed outcome of a chaos run: the invariant table, the faults injected and each fault window. */
import { formatTable } from "./invariants";
import type { ChaosResult } from "./run";

export function formatResult(result: ChaosResult): string {
  const rows = result.rows.map((row) => ({
    invariant: row.invariant,
    expected: row.expected,
    actual: row.actual,
    "": row.ok ? "ok" : "BROKEN",
  }));
  const faults = Object.entries(result.injected).map(([fault, count]) => ({ fault, injected: String(count) }));
  return [
    "",
    `Chaos run "${result.profile}": ${result.jobs} jobs in ${(result.durationMs / 1000).toFixed(1)} s (drain ${(result.drainedMs / 1000).toFixed(1)} s)`,
    "",
    formatTable(rows, ["invariant", "expected", "actual", ""]),
    "",
    "Faults actually injected:",
    formatTable(faults, ["fault", "injected"]),
    "",
    "Fault windows (requests each failed):",
    formatTable(
      result.windows.map((window) => ({ window: window.window, failed: String(window.failed) })),
      ["window", "failed"],
    ),
    "",
    result.ok ? "All invariants hold." : "BROKEN invariants above.",
  ].join("\n");
}
