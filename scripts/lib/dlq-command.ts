import { parseArgs } from "node:util";
import { Client } from "@upstash/qstash";
import { excerpt, type DlqEntry } from "@/lib/dlq/decode";
import { dlqFilterInputSchema, isEmptyFilter, type DlqFilter } from "@/lib/dlq/filters";
import {
  deleteEntries,
  getDlqEntry,
  listDlq,
  PAGE_SIZE,
  resolveSelection,
  retryEntries,
  type DlqSelection,
} from "@/lib/dlq/operations";
import { CliError, confirm, EXIT_ERROR, EXIT_OK, runCommand, UsageError, type CliIo } from "./cli";
import { resolveQStash } from "./credentials";
import { createProgress } from "./progress";
import { formatTime, renderFields, renderTable } from "./table";

const DLQ_USAGE = `Usage: npm run dlq -- <command> [options]

Commands:
  list [--job NAME] [--status N] [--from ISO] [--to ISO] [--limit N] [--cursor C]
                               Dead messages, in the order QStash returns them
  show <dlqId>                 One message: decoded payload, reason, headers, answer
  retry <dlqId…> | --all | --job NAME [--status N] [--from ISO] [--to ISO]
                               Deliver again (a new message id); removes them from the DLQ
  delete <dlqId…> | --all | --job NAME [--status N] [--from ISO] [--to ISO]
                               Remove for good

Options:
  --json      Machine-readable output on stdout
  --yes, -y   Don't ask before bulk retries and deletes (required without a terminal)
  --help, -h  This text

Credentials: QSTASH_URL and QSTASH_TOKEN from the environment, .env.local or .env;
without them, a local stack on 127.0.0.1:8080 is used with its dev token.
Exit codes: 0 ok, 1 error, 2 usage.`;

export interface DlqCommandDeps {
  /** For tests: how credential probes reach the network. */
  fetch?: typeof fetch;
}

const OPTIONS = {
  job: { type: "string" },
  status: { type: "string" },
  from: { type: "string" },
  to: { type: "string" },
  limit: { type: "string" },
  cursor: { type: "string" },
  all: { type: "boolean" },
  yes: { type: "boolean", short: "y" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

type Flags = ReturnType<typeof parse>["values"];

function parse(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/** `npm run dlq -- …` as a function of its arguments and streams; returns the exit code. */
export async function runDlqCommand(argv: string[], io: CliIo, deps: DlqCommandDeps = {}): Promise<number> {
  return runCommand(io, DLQ_USAGE, async () => {
    const { values: flags, positionals } = parse(argv);
    const [command, ...ids] = positionals;
    if (flags.help || command === "help") {
      io.stdout.write(`${DLQ_USAGE}\n`);
      return EXIT_OK;
    }
    if (!command) throw new UsageError("missing command");
    if (!["list", "show", "retry", "delete"].includes(command)) throw new UsageError(`unknown command "${command}"`);

    const filter = parseFilter(flags);
    const notify = (message: string) => io.stderr.write(`${message}\n`);
    const credentials = await resolveQStash(io.env, notify, deps.fetch);
    const client = new Client({ baseUrl: credentials.url, token: credentials.token, enableTelemetry: false });

    switch (command) {
      case "list":
        if (ids.length > 0) throw new UsageError("list takes no ids; use show <dlqId>");
        return list(client, filter, flags, io);
      case "show":
        if (ids.length !== 1) throw new UsageError("show takes exactly one dlqId");
        return show(client, ids[0]!, flags, io);
      default:
        return act(command as "retry" | "delete", client, selectionOf(ids, filter, flags), flags, io);
    }
  });
}

function parseFilter(flags: Flags): DlqFilter {
  const raw = Object.fromEntries(
    (["job", "status", "from", "to"] as const).flatMap((name) => (flags[name] === undefined ? [] : [[name, flags[name]]])),
  );
  const parsed = dlqFilterInputSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(`--${String(issue.path[0] ?? "filter")}: ${issue.message}`);
  }
  return parsed.data;
}

function selectionOf(ids: string[], filter: DlqFilter, flags: Flags): DlqSelection {
  const hasFilter = !isEmptyFilter(filter);
  const ways = [ids.length > 0, flags.all === true, hasFilter].filter(Boolean).length;
  if (ways === 0) throw new UsageError("say which messages: dlq ids, --all, or a filter such as --job NAME");
  if (ways > 1) throw new UsageError("use either dlq ids, --all, or filter flags, not several");
  if (ids.length > 0) return { dlqIds: ids };
  return flags.all ? { all: true } : { filter };
}

async function list(client: Client, filter: DlqFilter, flags: Flags, io: CliIo): Promise<number> {
  const limit = flags.limit === undefined ? 50 : Number(flags.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new UsageError("--limit must be an integer from 1 to 1000");
  const entries: DlqEntry[] = [];
  let cursor = flags.cursor;
  for (let pages = 0; pages < Math.ceil(1000 / PAGE_SIZE) + 1; pages++) {
    const page = await listDlq(client, { filter, ...(cursor && { cursor }), count: Math.min(PAGE_SIZE, limit - entries.length) });
    entries.push(...page.entries);
    const previous = cursor;
    cursor = page.cursor;
    if (!cursor || cursor === previous || entries.length >= limit) break;
  }
  if (flags.json) {
    io.stdout.write(`${JSON.stringify({ messages: entries, ...(cursor && { cursor }) }, null, 2)}\n`);
    return EXIT_OK;
  }
  if (entries.length === 0) {
    io.stdout.write(`The dead-letter queue is empty${isEmptyFilter(filter) ? ".\n" : " for this filter.\n"}`);
    return EXIT_OK;
  }
  io.stdout.write(
    `${renderTable(entries, [
      { header: "DLQ ID", value: (entry) => entry.dlqId, max: 80 },
      { header: "JOB", value: (entry) => entry.jobName, max: 30 },
      { header: "STATUS", value: (entry) => String(entry.responseStatus ?? "-"), align: "right" },
      { header: "PUBLISHED", value: (entry) => formatTime(entry.createdAt) },
      { header: "REASON", value: (entry) => entry.reason, max: 60 },
      { header: "PAYLOAD", value: (entry) => excerpt(entry.payload, 60), max: 60 },
    ])}\n`,
  );
  io.stdout.write(`\n${entries.length} message${entries.length === 1 ? "" : "s"}`);
  io.stdout.write(cursor ? `; more with --cursor ${cursor}\n` : "\n");
  return EXIT_OK;
}

async function show(client: Client, dlqId: string, flags: Flags, io: CliIo): Promise<number> {
  const entry = await getDlqEntry(client, dlqId);
  if (!entry) throw new CliError(`no DLQ message ${dlqId} (already retried or deleted?)`);
  if (flags.json) {
    io.stdout.write(`${JSON.stringify({ message: entry }, null, 2)}\n`);
    return EXIT_OK;
  }
  const pretty = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value, null, 2));
  io.stdout.write(
    `${renderFields([
      ["DLQ id", entry.dlqId],
      ["Message id", entry.messageId],
      ["Job", entry.jobName],
      ["URL", `${entry.method} ${entry.url}`],
      ["Published", formatTime(entry.createdAt)],
      ["Status", String(entry.responseStatus ?? "-")],
      ["Reason", entry.reason],
      ["Max retries", String(entry.maxRetries ?? "-")],
      ["Labels", entry.labels.join(", ") || "-"],
    ])}\n`,
  );
  io.stdout.write(`\nPayload:\n${pretty(entry.payload)}\n`);
  io.stdout.write(`\nResponse body:\n${pretty(entry.responseBody) || "(empty)"}\n`);
  const headerLines = (headers: Record<string, string[]>) =>
    Object.entries(headers)
      .map(([name, values]) => `  ${name}: ${values.join(", ")}`)
      .join("\n") || "  (none)";
  io.stdout.write(`\nRequest headers:\n${headerLines(entry.headers)}\n`);
  io.stdout.write(`\nResponse headers:\n${headerLines(entry.responseHeaders)}\n`);
  return EXIT_OK;
}

async function act(
  action: "retry" | "delete",
  client: Client,
  selection: DlqSelection,
  flags: Flags,
  io: CliIo,
): Promise<number> {
  const entries = await resolveSelection(client, selection);
  if ("dlqIds" in selection) {
    const found = new Set(entries.map((entry) => entry.dlqId));
    const missing = selection.dlqIds.filter((id) => !found.has(id));
    if (missing.length > 0) io.stderr.write(`not in the DLQ (already retried or deleted?): ${missing.join(", ")}\n`);
    if (entries.length === 0) return EXIT_ERROR;
  }
  if (entries.length === 0) {
    if (flags.json) io.stdout.write(`${JSON.stringify({ matched: 0 })}\n`);
    else io.stdout.write("Nothing matches; nothing to do.\n");
    return EXIT_OK;
  }
  const bulk = !("dlqIds" in selection) || entries.length > 1;
  // Deleting is forever, so even one id is confirmed; a retry of named ids is safe to just do.
  if (action === "delete" || bulk) {
    const jobs = [...new Set(entries.map((entry) => entry.jobName))].join(", ");
    const question = `${action === "retry" ? "Retry" : "Delete"} ${entries.length} message${entries.length === 1 ? "" : "s"} (${jobs})?`;
    if (!(await confirm(io, question, { yes: flags.yes === true, what: `${action} ${entries.length} message(s)` }))) {
      io.stderr.write("Cancelled; nothing changed.\n");
      return EXIT_ERROR;
    }
  }

  const progress = createProgress(io.stderr, action === "retry" ? "retrying" : "deleting");
  const onProgress = ({ done, total }: { done: number; total: number }) => progress.update(done, total);
  if (action === "retry") {
    progress.update(0, entries.length);
    const outcome = await retryEntries(client, entries, onProgress);
    progress.finish();
    if (flags.json) io.stdout.write(`${JSON.stringify({ matched: entries.length, ...outcome }, null, 2)}\n`);
    else {
      if (outcome.retried.length > 0) {
        io.stdout.write(
          `${renderTable(outcome.retried, [
            { header: "DLQ ID", value: (row) => row.dlqId, max: 80 },
            { header: "JOB", value: (row) => row.jobName },
            { header: "NEW MESSAGE ID", value: (row) => row.messageId ?? "(not reported)", max: 80 },
          ])}\n\nRetried ${outcome.retried.length} of ${entries.length}.\n`,
        );
      }
      reportFailures(outcome.failed, io);
    }
    return outcome.failed.length > 0 ? EXIT_ERROR : EXIT_OK;
  }
  progress.update(0, entries.length);
  const outcome = await deleteEntries(client, entries, onProgress);
  progress.finish();
  if (flags.json) io.stdout.write(`${JSON.stringify({ matched: entries.length, ...outcome }, null, 2)}\n`);
  else {
    io.stdout.write(`Deleted ${outcome.deleted} of ${entries.length}.\n`);
    reportFailures(outcome.failed, io);
  }
  return outcome.failed.length > 0 ? EXIT_ERROR : EXIT_OK;
}

function reportFailures(failed: Array<{ dlqId: string; error: string }>, io: CliIo) {
  for (const failure of failed) io.stderr.write(`failed ${failure.dlqId}: ${failure.error}\n`);
}
