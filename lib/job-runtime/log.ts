import { traceFields } from "./tracing";

/**
 * The one logger: JSON lines on stdout/stderr, which Vercel's log drains and
 * `jq` read alike. Every line has `level` and `event`; job lines add `job`,
 * `messageId` and, on failure, `error`.
 */
export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line. */
  with(fields: LogFields): Logger;
}

export type LogSink = (level: LogLevel, line: string) => void;

const consoleSink: LogSink = (level, line) => {
  console[level](line);
};

/** Errors become their message (with the name), so a line stays one short JSON object. */
function describe(value: unknown): unknown {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  return value;
}

export function createLogger(base: LogFields = {}, sink: LogSink = consoleSink): Logger {
  const write = (level: LogLevel) => (event: string, fields?: LogFields) => {
    const line: LogFields = { level, event, ...base };
    // Trace ids, when a trace is being recorded, let a log search open the whole trace.
    const { traceId, spanId } = traceFields();
    if (traceId !== undefined) {
      line.traceId = traceId;
      line.spanId = spanId;
    }
    if (fields) for (const name in fields) line[name] = describe(fields[name]);
    sink(level, JSON.stringify(line));
  };
  return {
    debug: write("debug"),
    info: write("info"),
    warn: write("warn"),
    error: write("error"),
    with: (fields) => createLogger({ ...base, ...fields }, sink),
  };
}

/** The process logger. */
export const log: Logger = createLogger();
