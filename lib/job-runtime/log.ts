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

/**
 * A class rather than closures: the route makes a logger per delivery (`with`), and this makes
 * it one small object. Call its methods on the logger (`log.info(...)`), as every caller does.
 */
class JsonLogger implements Logger {
  constructor(
    private readonly base: LogFields,
    private readonly sink: LogSink,
  ) {}

  debug(event: string, fields?: LogFields): void {
    this.write("debug", event, fields);
  }

  info(event: string, fields?: LogFields): void {
    this.write("info", event, fields);
  }

  warn(event: string, fields?: LogFields): void {
    this.write("warn", event, fields);
  }

  error(event: string, fields?: LogFields): void {
    this.write("error", event, fields);
  }

  with(fields: LogFields): Logger {
    return new JsonLogger({ ...this.base, ...fields }, this.sink);
  }

  private write(level: LogLevel, event: string, fields: LogFields | undefined): void {
    const line: LogFields = { level, event, ...this.base };
    // Trace ids, when a trace is being recorded, let a log search open the whole trace.
    const { traceId, spanId } = traceFields();
    if (traceId !== undefined) {
      line.traceId = traceId;
      line.spanId = spanId;
    }
    if (fields) for (const name in fields) line[name] = describe(fields[name]);
    this.sink(level, JSON.stringify(line));
  }
}

export function createLogger(base: LogFields = {}, sink: LogSink = consoleSink): Logger {
  return new JsonLogger(base, sink);
}

/** The process logger. */
export const log: Logger = createLogger();
