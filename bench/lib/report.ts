import type { Comparison, Stats } from "./measure";

/** What every scenario hands back to bench/run.ts, which prints it and writes docs/benchmarks.md. */
export interface ScenarioResult {
  title: string;
  /** Markdown: what is compared with what, and why that baseline. */
  description: string;
  /** Header row first. */
  table: string[][];
  targets: Target[];
  notes: string[];
  /** Set when the scenario could not run here; the reason goes in the doc instead of a table. */
  skipped?: string;
  /** Rows for the summary of targets at the top of the report. */
  summary?: SummaryRow[];
}

/** One line of the targets summary: a figure, what it is measured against in the same run, and the bar. */
export interface SummaryRow {
  measure: string;
  baseline: string;
  /** The ratio or value with its repetitions and spread. */
  figure: string;
  target: string;
  status: "PASS" | "FAIL" | "reported";
}

export interface Target {
  label: string;
  pass: boolean;
}

export interface Scenario {
  id: string;
  title: string;
  run(): Promise<ScenarioResult>;
}

export type Unit = "ms" | "bytes" | "msg/s";

export function formatValue(value: number, unit: Unit): string {
  if (!Number.isFinite(value)) return "n/a";
  if (unit === "bytes") {
    if (Math.abs(value) >= 1024 ** 3) return `${(value / 1024 ** 3).toFixed(1)} GiB`;
    if (Math.abs(value) >= 1024 * 1024) return `${(value / 1024 / 1024).toFixed(2)} MiB`;
    if (Math.abs(value) >= 1024) return `${(value / 1024).toFixed(1)} KiB`;
    return `${Math.round(value)} B`;
  }
  if (unit === "msg/s") return `${Math.round(value).toLocaleString("en-US")} msg/s`;
  // Sub-0.1 ms values read better in microseconds.
  return value < 0.1 ? `${(value * 1000).toFixed(2)} µs` : `${value.toFixed(3)} ms`;
}

export const formatRatio = (ratio: number) => (Number.isFinite(ratio) ? `${ratio.toFixed(2)}×` : "n/a");

export const COMPARISON_HEADER = ["Measure", "Samples", "Median", "p95"];

/** Three rows per comparison: baseline, subject, and the ratio with its per-round spread. */
export function comparisonRows(
  comparison: Comparison,
  labels: { baseline: string; subject: string; ratio?: string },
  unit: Unit,
): string[][] {
  const row = (label: string, stats: Stats) => [
    label,
    String(stats.samples),
    formatValue(stats.median, unit),
    formatValue(stats.p95, unit),
  ];
  const { min, max } = comparison.roundRatios;
  return [
    row(labels.baseline, comparison.baseline),
    row(labels.subject, comparison.subject),
    [
      labels.ratio ?? "**Ratio** subject / baseline (medians)",
      `${comparison.rounds} rounds`,
      `**${formatRatio(comparison.ratio)}**`,
      `rounds: ${formatRatio(min)} – ${formatRatio(max)}`,
    ],
  ];
}

export function markdownTable(rows: string[][]): string {
  const [header, ...body] = rows;
  if (!header) return "";
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...body.map(line)].join("\n");
}
