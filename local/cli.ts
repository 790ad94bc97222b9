/**
 * What the local services' stand-alone entry points (`local/<service>/main.ts`)
 * share: flag parsing with --help, the port check, and how they stop and fail.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";

type FlagOptions = NonNullable<ParseArgsConfig["options"]>;
type WithHelp<T extends FlagOptions> = { options: T & { help: { type: "boolean" } } };

/**
 * The command line parsed against `options` plus `--help`; unknown flags and
 * positionals throw. With --help, `usage` is printed and the answer is null.
 */
export function parseFlags<const T extends FlagOptions>(
  options: T,
  usage: string,
): ReturnType<typeof parseArgs<WithHelp<T>>>["values"] | null {
  const config: WithHelp<T> = { options: { ...options, help: { type: "boolean" } } };
  const { values } = parseArgs(config);
  // ParsedResults can't be narrowed while T is open; at call sites `values` is fully typed.
  if ((values as { help?: boolean }).help) {
    process.stdout.write(usage);
    return null;
  }
  return values;
}

/**
 * `text` as a TCP port (0 = any free one), or `fallback` when it is absent.
 * Anything else throws "invalid <name> <text>" followed by `usage`; `name` is
 * what the value is called where it came from (a flag, or also an environment variable).
 */
export function parsePort(text: string | undefined, fallback: number, usage: string, name = "--port"): number {
  const port = text === undefined ? fallback : Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`invalid ${name} ${text}\n\n${usage}`);
  return port;
}

/** On SIGINT or SIGTERM, closes `server` and exits: 0 once closed, 1 if closing failed. */
export function closeOnSignal(server: { close(): Promise<void> }): void {
  const stop = () => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

/** Runs `main`; a failure (a bad flag, a port in use) prints just its message and exits 1. */
export function runMain(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
