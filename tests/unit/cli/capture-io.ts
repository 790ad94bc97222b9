import type { CliIo } from "@/scripts/lib/cli";

/** A CliIo that records what a command prints and answers prompts from a script. */
export function captureIo(options: { env?: Record<string, string | undefined>; tty?: boolean; answers?: string[] } = {}) {
  let stdout = "";
  let stderr = "";
  const prompts: string[] = [];
  const answers = [...(options.answers ?? [])];
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text), isTTY: options.tty ?? false, columns: 120 },
    stderr: { write: (text: string) => (stderr += text), isTTY: options.tty ?? false, columns: 120 },
    stdinIsTTY: options.tty ?? false,
    async prompt(question) {
      prompts.push(question);
      return answers.shift() ?? "";
    },
    env: options.env ?? {},
  };
  return {
    io,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    prompts,
  };
}
