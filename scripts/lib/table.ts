/**
 * Plain-text tables for terminals: aligned columns, one line per row, long
 * cells cut with "…" so a 2 KB reason doesn't wrap the whole screen.
 */
export interface Column<Row> {
  header: string;
  value(row: Row): string;
  /** Cut cells longer than this. @default 60 */
  max?: number;
  align?: "left" | "right";
}

export function renderTable<Row>(rows: readonly Row[], columns: ReadonlyArray<Column<Row>>): string {
  const cells = rows.map((row) => columns.map((column) => clip(oneLine(column.value(row)), column.max ?? 60)));
  const widths = columns.map((column, index) => Math.max(column.header.length, ...cells.map((line) => width(line[index]!))));
  const format = (line: string[]) =>
    line
      .map((cell, index) => {
        const pad = " ".repeat(widths[index]! - width(cell));
        return columns[index]!.align === "right" ? pad + cell : cell + pad;
      })
      .join("  ")
      .trimEnd();
  return [format(columns.map((column) => column.header)), ...cells.map(format)].join("\n");
}

/** `key  value` lines with aligned keys. */
export function renderFields(fields: ReadonlyArray<[string, string]>): string {
  const keyWidth = Math.max(...fields.map(([key]) => key.length));
  return fields.map(([key, value]) => `${key.padEnd(keyWidth)}  ${value}`).join("\n");
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ");
}

function clip(text: string, max: number): string {
  return width(text) > max ? `${[...text].slice(0, max - 1).join("")}…` : text;
}

function width(text: string): number {
  return [...text].length;
}

/** `2026-01-15 09:00:00Z`: sortable, unambiguous, short. */
export function formatTime(ms: number | null | undefined): string {
  if (!ms) return "-";
  return new Date(ms)
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d{3}Z$/, "Z");
}
