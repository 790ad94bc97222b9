/**
 * The promise, checked at the end of a chaos run from what the stack saw:
 * QStash's event log, the mail the Resend look-alike accepted, and the run
 * records and outbox in Redis. Pure: the run collects, this judges.
 */
import type { LogEvent } from "@/local/qstash/server";

export interface Observed {
  events: readonly LogEvent[];
  /** Messages QStash still holds (waiting or in flight). */
  pendingMessageIds: readonly string[];
  emails: ReadonlyArray<{ to: string[]; idempotencyKey: string | null; tags?: Array<{ name: string; value: string }> | null }>;
  /** Run record status per job message id (undefined: no record). */
  runStatus: ReadonlyMap<string, string | undefined>;
  usersSignedUp: number;
  /** Their addresses. */
  usersWithEmail: readonly string[];
  outboxPending: number;
}

export interface Expected {
  signups: readonly string[];
  /** Addresses signed in (once each, by the driver), each owed a sign-in notice. */
  signIns: readonly string[];
  /** Every sign-up address of the run starts with this. */
  signupPrefix: string;
  webhooks: readonly string[];
  bulk: readonly string[];
  bulkFailing: readonly string[];
}

export interface InvariantRow {
  invariant: string;
  expected: string;
  actual: string;
  ok: boolean;
}

interface MessageSummary {
  job: string | null;
  body: Record<string, unknown> | null;
  final: "DELIVERED" | "FAILED" | null;
}

function summarizeMessages(events: readonly LogEvent[]): Map<string, MessageSummary> {
  const messages = new Map<string, MessageSummary>();
  for (const event of events) {
    let summary = messages.get(event.messageId);
    if (!summary) {
      summary = {
        job: /\/api\/(?:edge\/)?jobs\/([^/?]+)/.exec(event.url)?.[1] ?? null,
        body: decodeBody(event.body),
        final: null,
      };
      messages.set(event.messageId, summary);
    }
    if (event.state === "DELIVERED" || event.state === "FAILED") summary.final = event.state;
  }
  return messages;
}

function decodeBody(base64: string | undefined): Record<string, unknown> | null {
  if (!base64) return null;
  try {
    const value: unknown = JSON.parse(Buffer.from(base64, "base64").toString("utf8"));
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

type Outcome = "succeeded" | "dlq" | "pending" | "lost";

export function checkInvariants(expected: Expected, observed: Observed): InvariantRow[] {
  const messages = summarizeMessages(observed.events);
  const pending = new Set(observed.pendingMessageIds);
  const byKey = new Map<string, string[]>();
  const keyOf = (message: MessageSummary): string | null => {
    const body = message.body ?? {};
    if (message.job === "welcome-email" && typeof body.email === "string") return `signup:${body.email}`;
    if (message.job === "purchase-confirmation" && typeof body.eventId === "string") return `webhook:${body.eventId}`;
    if (message.job === "test" && typeof body.message === "string") return `bulk:${body.message}`;
    return null;
  };
  for (const [id, message] of messages) {
    const key = keyOf(message);
    if (key) byKey.set(key, [...(byKey.get(key) ?? []), id]);
  }
  const outcome = (key: string): Outcome => {
    const ids = byKey.get(key) ?? [];
    if (ids.some((id) => messages.get(id)!.final === "DELIVERED")) return "succeeded";
    if (ids.some((id) => pending.has(id) || messages.get(id)!.final === null)) return "pending";
    if (ids.some((id) => messages.get(id)!.final === "FAILED")) return "dlq";
    return "lost";
  };
  const keys = [
    ...expected.signups.map((email) => `signup:${email}`),
    ...expected.webhooks.map((id) => `webhook:${id}`),
    ...expected.bulk.map((message) => `bulk:${message}`),
  ];
  const outcomes = keys.map((key) => [key, outcome(key)] as const);
  const count = (what: Outcome) => outcomes.filter(([, result]) => result === what).length;
  const failing = new Set(expected.bulkFailing.map((message) => `bulk:${message}`));
  const goodFailures = outcomes.filter(([key, result]) => !failing.has(key) && result !== "succeeded");
  const goodNotSucceeded = goodFailures.length;
  const failingSucceeded = outcomes.filter(([key, result]) => failing.has(key) && result === "succeeded").length;
  const unfinished = [...messages].filter(([id, message]) => message.final === null || pending.has(id)).length;

  const perKey = new Map<string, number>();
  let withoutKey = 0;
  for (const email of observed.emails) {
    if (!email.idempotencyKey) withoutKey += 1;
    else perKey.set(email.idempotencyKey, (perKey.get(email.idempotencyKey) ?? 0) + 1);
  }
  const duplicateEmails = [...perKey.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0);
  // The operator's DLQ alert about a welcome email carries the same job tag; only mail to people who signed up counts.
  const signupAddress = (address: string) => address.startsWith(expected.signupPrefix);
  const recipientsOf = (job: string) =>
    new Set(
      observed.emails
        .filter((email) => email.tags?.some((tag) => tag.name === "job" && tag.value === job))
        .flatMap((email) => email.to)
        .filter(signupAddress),
    );
  const welcomeRecipients = recipientsOf("welcome-email");
  const noticeRecipients = recipientsOf("sign-in-notification");
  const signInsWithoutNotice = expected.signIns.filter((address) => !noticeRecipients.has(address));

  const runMismatches: string[] = [];
  let jobMessages = 0;
  for (const [id, message] of messages) {
    if (!message.job || message.final === null) continue;
    jobMessages += 1;
    const status = observed.runStatus.get(id);
    const agrees = message.final === "DELIVERED" ? status === "succeeded" : status === "failed" || status === "dead";
    if (!agrees) runMismatches.push(`${message.job} ${id} ${message.final}/${status ?? "no record"}`);
  }

  const row = (invariant: string, expectedText: string, actual: string, ok: boolean): InvariantRow => ({
    invariant,
    expected: expectedText,
    actual,
    ok,
  });
  return [
    row("published jobs lost", "0", `${count("lost")} of ${keys.length}`, count("lost") === 0),
    row(
      "messages stuck (not delivered, not in DLQ)",
      "0",
      `${unfinished} of ${messages.size}`,
      unfinished === 0 && count("pending") === 0,
    ),
    row(
      "good jobs that did not succeed",
      "0",
      `${goodNotSucceeded}${
        goodNotSucceeded > 0
          ? ` (${goodFailures
              .slice(0, 3)
              .map(([key, result]) => `${key} ${result}`)
              .join("; ")})`
          : ""
      }`,
      goodNotSucceeded === 0,
    ),
    row(
      "failing payloads in the DLQ",
      String(expected.bulkFailing.length),
      String(
        expected.bulkFailing.length - failingSucceeded - outcomes.filter(([key, r]) => failing.has(key) && r !== "dlq").length,
      ),
      failingSucceeded === 0 && outcomes.every(([key, r]) => !failing.has(key) || r === "dlq"),
    ),
    row(
      "emails beyond one per idempotency key",
      "0",
      `${duplicateEmails} (of ${observed.emails.length} emails, ${withoutKey} without a key)`,
      duplicateEmails === 0 && withoutKey === 0,
    ),
    row(
      "run records disagreeing with QStash",
      "0",
      `${runMismatches.length} of ${jobMessages}${runMismatches.length > 0 ? ` (${runMismatches.slice(0, 3).join("; ")})` : ""}`,
      runMismatches.length === 0,
    ),
    row(
      "sign-ups = welcome emails",
      `${expected.signups.length} = ${expected.signups.length}`,
      `${observed.usersSignedUp} = ${welcomeRecipients.size}${describeDifference(observed.usersWithEmail, welcomeRecipients)}`,
      observed.usersSignedUp === welcomeRecipients.size && observed.usersSignedUp === expected.signups.length,
    ),
    row(
      "sign-ins without a sign-in notice",
      "0",
      `${signInsWithoutNotice.length} of ${expected.signIns.length}${signInsWithoutNotice.length > 0 ? ` (${signInsWithoutNotice.slice(0, 3).join(", ")})` : ""}`,
      signInsWithoutNotice.length === 0,
    ),
    row("outbox entries left", "0", String(observed.outboxPending), observed.outboxPending === 0),
  ];
}

/** The first few addresses on one side only, so a broken row says whom it is about. */
function describeDifference(users: readonly string[], recipients: ReadonlySet<string>): string {
  const userSet = new Set(users);
  const noEmail = users.filter((user) => !recipients.has(user));
  const noUser = [...recipients].filter((recipient) => !userSet.has(recipient));
  const parts = [];
  if (noEmail.length > 0) parts.push(`no welcome: ${noEmail.slice(0, 3).join(", ")}`);
  if (noUser.length > 0) parts.push(`welcome without user: ${noUser.slice(0, 3).join(", ")}`);
  return parts.length > 0 ? ` (${parts.join("; ")})` : "";
}

export function formatTable(rows: ReadonlyArray<Record<string, string>>, columns: string[]): string {
  const widths = columns.map((column) => Math.max(column.length, ...rows.map((row) => (row[column] ?? "").length)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join(" | ")} |`;
  return [
    line(columns),
    `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`,
    ...rows.map((row) => line(columns.map((c) => row[c] ?? ""))),
  ].join("\n");
}
