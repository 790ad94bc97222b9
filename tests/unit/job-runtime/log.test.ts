import { describe, expect, test } from "vitest";
import { createLogger, type LogLevel } from "@/lib/job-runtime";

/** A logger whose lines are kept, parsed, with the level each was written at. */
function captured(base?: Record<string, unknown>) {
  const lines: Array<{ level: LogLevel; line: string }> = [];
  const logger = createLogger(base, (level, line) => lines.push({ level, line }));
  return { logger, lines, parsed: () => lines.map(({ line }) => JSON.parse(line) as Record<string, unknown>) };
}

describe("the logger", () => {
  test("writes one JSON line per call: level and event first, then the base fields, then the call's", () => {
    const { logger, lines } = captured({ service: "jobs" });
    logger.info("job_succeeded", { attempt: 1 });
    expect(lines).toEqual([{ level: "info", line: '{"level":"info","event":"job_succeeded","service":"jobs","attempt":1}' }]);
  });

  test("each method writes at its own level", () => {
    const { logger, lines } = captured();
    logger.debug("a");
    logger.info("b");
    logger.warn("c");
    logger.error("d");
    expect(lines.map(({ level }) => level)).toEqual(["debug", "info", "warn", "error"]);
  });

  test("with() adds fields to every line of the new logger and leaves the parent as it was", () => {
    const { logger, parsed } = captured({ service: "jobs" });
    const jobLog = logger.with({ job: "test", messageId: "msg_1" });
    const retryLog = jobLog.with({ messageId: "msg_2" });
    jobLog.warn("replay_refused", { jti: "jwt_1" });
    retryLog.info("job_succeeded");
    logger.info("plain");
    expect(parsed()).toEqual([
      { level: "warn", event: "replay_refused", service: "jobs", job: "test", messageId: "msg_1", jti: "jwt_1" },
      { level: "info", event: "job_succeeded", service: "jobs", job: "test", messageId: "msg_2" },
      { level: "info", event: "plain", service: "jobs" },
    ]);
  });

  test("an error becomes its name and message, so a line stays one short object", () => {
    const { logger, parsed } = captured();
    class UpstashError extends Error {
      override name = "UpstashError";
    }
    logger.error("idempotency_unavailable", { error: new UpstashError("connection refused") });
    expect(parsed()).toEqual([{ level: "error", event: "idempotency_unavailable", error: "UpstashError: connection refused" }]);
  });

  test("outside a recorded trace, lines carry no trace ids", () => {
    const { logger, parsed } = captured();
    logger.info("x");
    expect(parsed()[0]).not.toHaveProperty("traceId");
  });
});
