/**
 * What a CLI command talks to: its streams, environment and working folder.
 * The real process in scripts/*.ts; captured buffers in tests, so commands run
 * in-process against the local stack.
 */
export interface OutputStream {
  write(text: string): unknown;
  /** True for a terminal: tables may use its width, progress bars may redraw. */
  isTTY?: boolean;
  columns?: number;
}

export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  /** Whether a person can answer a prompt. */
  stdinIsTTY: boolean;
  /** Asks one question on the terminal and resolves with the answer line. */
  prompt(question: string): Promise<string>;
  env: Record<string, string | undefined>;
}

export const EXIT_OK = 0;
export const EXIT_ERROR = 1;
const EXIT_USAGE = 2;

/** A problem to show as one line and exit with `exitCode`; no stack trace for the operator. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT_ERROR,
  ) {
    super(message);
    this.name = "CliError";
  }
}

export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT_USAGE);
    this.name = "UsageError";
  }
}

/** Runs a command and turns its outcome into an exit code; errors go to stderr. */
export async function runCommand(io: CliIo, usage: string, command: () => Promise<number>): Promise<number> {
  try {
    return await command();
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`error: ${error.message}\n\n${usage}\n`);
      return EXIT_USAGE;
    }
    if (error instanceof CliError) {
      io.stderr.write(`error: ${error.message}\n`);
      return error.exitCode;
    }
    io.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_ERROR;
  }
}

/** Asks before something irreversible or large. Refuses without a terminal unless `--yes` was given. */
export async function confirm(io: CliIo, question: string, options: { yes: boolean; what: string }): Promise<boolean> {
  if (options.yes) return true;
  if (!io.stdinIsTTY) {
    throw new UsageError(`refusing to ${options.what} without confirmation: no terminal to ask on. Pass --yes to go ahead.`);
  }
  const answer = (await io.prompt(`${question} [y/N] `)).trim().toLowerCase();
  return answer === "y" || answer === "yes";
}
