import { parseArgs } from "node:util";
import { Client } from "@upstash/qstash";
import { findRun, listRecentRuns, outboxDepth, type JobRun, createRedis } from "@/lib/job-runtime";
import { CliError, EXIT_OK, runCommand, UsageError, type CliIo } from "./cli";
import { resolveQStash, resolveRedis } from "./credentials";
import { formatTime, renderFields, renderTable } from "./table";

const JOBS_USAGE = `Usage: npm run jobs -- <command> [options]

Commands:
  status <messageId>     One message: status, attempts, timings, error (QStash answers while it is queued)
  recent [--limit N]     The most recent runs, newest first (default 20)
  outbox                 Jobs written with their change and not yet accepted by QStash: how many, how old

Options:
  --json      Machine-readable output on stdout
  --help, -h  This text

Reads the run records in Redis: UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN from
the environment, .env.local or .env (or the local stack's Redis on 127.0.0.1:8079). A message
no delivery has reached yet has no record: status then asks QStash (QSTASH_URL, QSTASH_TOKEN).
Exit codes: 0 ok, 1 error (e.g. no record), 2 usage.`;

export interface JobsCommandDeps {
  fetch?: typeof fetch;
}

export async function runJobsCommand(argv: string[], io: CliIo, deps: JobsCommandDeps = {}): Promise<number> {
  return runCommand(io, JOBS_USAGE, async () => {
    let parsed;
    try {
      parsed = parseArgs({
        args: argv,
        options: { json: { type: "boolean" }, limit: { type: "string" }, help: { type: "boolean", short: "h" } },
        allowPositionals: true,
        strict: true,
      });
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
    const { values: flags, positionals } = parsed;
    const [command, ...rest] = positionals;
    if (flags.help || command === "help") {
      io.stdout.write(`${JOBS_USAGE}\n`);
      return EXIT_OK;
    }
    if (command !== "status" && command !== "recent" && command !== "outbox")
      throw new UsageError(command ? `unknown command "${command}"` : "missing command");
    if (command === "status" && rest.length !== 1) throw new UsageError("status takes exactly one messageId");
    if ((command === "recent" || command === "outbox") && rest.length > 0) throw new UsageError(`${command} takes no arguments`);
    const limit = flags.limit === undefined ? 20 : Number(flags.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new UsageError("--limit must be an integer from 1 to 1000");

    const credentials = await resolveRedis(io.env, (message) => io.stderr.write(`${message}\n`), deps.fetch);
    const redis = createRedis({ UPSTASH_REDIS_REST_URL: credentials.url, UPSTASH_REDIS_REST_TOKEN: credentials.token });

    if (command === "status") {
      const messageId = rest[0]!;
      // QStash is asked (and its credentials resolved) only for a message Redis has no record of.
      const messages = {
        async get(id: string) {
          const qstash = await resolveQStash(io.env, (message) => io.stderr.write(`${message}\n`), deps.fetch);
          return new Client({ baseUrl: qstash.url, token: qstash.token, enableTelemetry: false }).messages.get(id);
        },
      };
      const run = await findRun(redis, messages, messageId);
      if (!run)
        throw new CliError(
          `no run recorded for message ${messageId}, and QStash does not hold it (unknown id, or older than the 14-day retention)`,
        );
      io.stdout.write(flags.json ? `${JSON.stringify({ run }, null, 2)}\n` : `${renderRun(run)}\n`);
      return EXIT_OK;
    }
    if (command === "outbox") {
      const depth = await outboxDepth(redis, Date.now());
      if (flags.json) io.stdout.write(`${JSON.stringify({ outbox: depth }, null, 2)}\n`);
      else
        io.stdout.write(
          `${renderFields([
            ["Waiting", String(depth.pending)],
            ["Oldest", depth.oldestAgeMs === null ? "-" : `${Math.round(depth.oldestAgeMs / 1000)} s old`],
            ["Stale", `${depth.stale} (older than ${depth.maxAgeMs / 60_000} min: no sweep has run, or QStash keeps refusing)`],
          ])}\n`,
        );
      return EXIT_OK;
    }
    const runs = await listRecentRuns(redis, limit);
    if (flags.json) {
      io.stdout.write(`${JSON.stringify({ runs }, null, 2)}\n`);
      return EXIT_OK;
    }
    if (runs.length === 0) {
      io.stdout.write("No runs recorded yet.\n");
      return EXIT_OK;
    }
    io.stdout.write(
      `${renderTable(runs, [
        { header: "MESSAGE ID", value: (run) => run.messageId, max: 80 },
        { header: "JOB", value: (run) => run.job, max: 30 },
        { header: "STATUS", value: (run) => run.status },
        { header: "ATTEMPTS", value: (run) => String(run.attempts), align: "right" },
        { header: "LAST CHANGE", value: (run) => formatTime(run.finishedAt ?? run.startedAt ?? run.queuedAt) },
        { header: "ERROR", value: (run) => run.lastError ?? "", max: 60 },
      ])}\n`,
    );
    return EXIT_OK;
  });
}

function renderRun(run: JobRun): string {
  return renderFields([
    ["Message id", run.messageId],
    ["Job", run.job],
    ["Status", run.status],
    ["Attempts", String(run.attempts)],
    ["Queued", formatTime(run.queuedAt)],
    ...(run.notBefore === undefined ? [] : [["Not before", formatTime(run.notBefore)] as [string, string]]),
    ["Started", formatTime(run.startedAt)],
    ["Finished", formatTime(run.finishedAt)],
    ["Duration", run.durationMs === undefined ? "-" : `${run.durationMs} ms`],
    ["Idempotency key", run.idempotencyKey ?? "-"],
    ["Last error", run.lastError ?? "-"],
    ["DLQ id", run.dlqId ? `${run.dlqId}   (npm run dlq -- show ${run.dlqId})` : "-"],
    ["Result", run.result === undefined ? "-" : JSON.stringify(run.result)],
  ]);
}
