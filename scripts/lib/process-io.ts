import { createInterface } from "node:readline/promises";
import type { CliIo } from "./cli";
import { loadEnvFiles } from "./env-files";

/** The real terminal: process streams, and the environment merged with `.env.local` / `.env`. */
export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdinIsTTY: process.stdin.isTTY === true,
    async prompt(question) {
      const readline = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return await readline.question(question);
      } finally {
        readline.close();
      }
    },
    env: loadEnvFiles(),
  };
}
