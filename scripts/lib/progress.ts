import type { OutputStream } from "./cli";

/**
 * A one-line progress bar on stderr for bulk operations. It draws only on a
 * terminal: in CI logs and pipes a redrawn line is noise, so it stays silent.
 */
export interface Progress {
  update(done: number, total: number): void;
  /** Clears the bar so the summary prints on a clean line. */
  finish(): void;
}

export function createProgress(stream: OutputStream, label: string): Progress {
  if (!stream.isTTY) return { update() {}, finish() {} };
  let drawn = false;
  return {
    update(done, total) {
      stream.write(`\r${renderBar(label, done, total, stream.columns ?? 80)}`);
      drawn = true;
    },
    finish() {
      if (drawn) stream.write("\r\x1b[2K");
    },
  };
}

/** Pure: `retrying [##########----------]  50/100`, fitted to `columns`. */
export function renderBar(label: string, done: number, total: number, columns = 80): string {
  const counter = `${String(done).padStart(String(total).length)}/${total}`;
  const barWidth = Math.max(10, Math.min(40, columns - label.length - counter.length - 6));
  const filled = total === 0 ? barWidth : Math.round((Math.min(done, total) / total) * barWidth);
  return `${label} [${"#".repeat(filled)}${"-".repeat(barWidth - filled)}] ${counter}`;
}
