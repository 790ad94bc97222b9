import type { Client } from "@upstash/qstash";
import { decodeDlqMessage, summarize, type DlqEntry, type DlqEntryDetail } from "./decode";
import { matchesFilter, toClientFilter, type DlqFilter } from "./filters";

/**
 * DLQ operations through the official QStash client, so they work the same
 * against QStash and the local stack. Framework-free: the admin API, the admin
 * page and the CLI all call these with a client of their own.
 */
export type DlqClient = Pick<Client, "dlq">;

/** QStash returns at most 100 messages per page. */
export const PAGE_SIZE = 100;
/** Bulk actions send this many ids per request (they travel in the query string). */
export const ACTION_CHUNK = 50;
/** A bulk action never resolves more than this many ids (and never loops forever on a bad cursor). */
const MAX_BULK = 10_000;

export interface DlqPage {
  entries: DlqEntry[];
  /** Pass back to get the next page; absent on the last one. */
  cursor?: string;
}

export async function listDlq(
  client: DlqClient,
  options: { filter?: DlqFilter; cursor?: string; count?: number } = {},
): Promise<DlqPage> {
  const filter = options.filter ?? {};
  const clientFilter = toClientFilter(filter);
  const page = await client.dlq.listMessages({
    count: Math.min(Math.max(options.count ?? PAGE_SIZE, 1), PAGE_SIZE),
    ...(clientFilter && { filter: clientFilter }),
    ...(options.cursor && { cursor: options.cursor }),
  });
  const entries = page.messages
    .map((message) => summarize(decodeDlqMessage(message)))
    .filter((entry) => matchesFilter(entry, filter));
  return { entries, ...(page.cursor && { cursor: page.cursor }) };
}

/** One message with headers and the decoded answer; null when the id is unknown (already retried or deleted). */
export async function getDlqEntry(client: DlqClient, dlqId: string): Promise<DlqEntryDetail | null> {
  const { messages } = await client.dlq.listMessages({ dlqIds: [dlqId] });
  const message = messages.find((candidate) => candidate.dlqId === dlqId);
  return message ? decodeDlqMessage(message) : null;
}

/** Which messages a bulk action targets: explicit ids, every match of a filter, or everything. */
export type DlqSelection = { dlqIds: string[] } | { filter: DlqFilter } | { all: true };

/**
 * The entries a selection covers right now. Bulk actions resolve ids first and
 * then act on exactly those, so what the operator confirmed is what happens,
 * even while new failures keep arriving.
 */
export async function resolveSelection(client: DlqClient, selection: DlqSelection, limit = MAX_BULK): Promise<DlqEntry[]> {
  if ("dlqIds" in selection) {
    const wanted = [...new Set(selection.dlqIds)];
    const found: DlqEntry[] = [];
    for (let start = 0; start < wanted.length; start += ACTION_CHUNK) {
      const { messages } = await client.dlq.listMessages({ dlqIds: wanted.slice(start, start + ACTION_CHUNK) });
      found.push(...messages.map((message) => summarize(decodeDlqMessage(message))));
    }
    return found;
  }
  const filter = "filter" in selection ? selection.filter : {};
  const entries: DlqEntry[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages <= Math.ceil(limit / PAGE_SIZE); pages++) {
    const page = await listDlq(client, { filter, ...(cursor && { cursor }) });
    entries.push(...page.entries);
    if (!page.cursor || page.cursor === cursor || entries.length >= limit) break;
    cursor = page.cursor;
  }
  return entries.slice(0, limit);
}

export interface BulkProgress {
  done: number;
  total: number;
}

export interface RetryOutcome {
  /** Each retried entry with the id of the new message QStash published for it. */
  retried: Array<{ dlqId: string; jobName: string; messageId: string | null }>;
  /** Ids QStash refused or no longer had, with the reason. */
  failed: Array<{ dlqId: string; error: string }>;
}

/**
 * Re-publishes the entries (same body and headers, a new message id; QStash
 * removes them from the DLQ). Chunked, so a huge DLQ shows progress and a
 * failing chunk doesn't hide the others.
 */
export async function retryEntries(
  client: DlqClient,
  entries: ReadonlyArray<Pick<DlqEntry, "dlqId" | "jobName">>,
  onProgress?: (progress: BulkProgress) => void,
): Promise<RetryOutcome> {
  const outcome: RetryOutcome = { retried: [], failed: [] };
  for (let start = 0; start < entries.length; start += ACTION_CHUNK) {
    const chunk = entries.slice(start, start + ACTION_CHUNK);
    try {
      const { responses } = await client.dlq.retry({ dlqIds: chunk.map((entry) => entry.dlqId) });
      chunk.forEach((entry, index) => {
        // QStash answers in request order; without a matching answer the new id is unknown, not the retry.
        const messageId = responses.length === chunk.length ? (responses[index]?.messageId ?? null) : null;
        outcome.retried.push({ dlqId: entry.dlqId, jobName: entry.jobName, messageId });
      });
    } catch (error) {
      for (const entry of chunk) outcome.failed.push({ dlqId: entry.dlqId, error: errorText(error) });
    }
    onProgress?.({ done: Math.min(start + chunk.length, entries.length), total: entries.length });
  }
  return outcome;
}

export interface DeleteOutcome {
  deleted: number;
  failed: Array<{ dlqId: string; error: string }>;
}

export async function deleteEntries(
  client: DlqClient,
  entries: ReadonlyArray<Pick<DlqEntry, "dlqId">>,
  onProgress?: (progress: BulkProgress) => void,
): Promise<DeleteOutcome> {
  const outcome: DeleteOutcome = { deleted: 0, failed: [] };
  for (let start = 0; start < entries.length; start += ACTION_CHUNK) {
    const chunk = entries.slice(start, start + ACTION_CHUNK);
    try {
      const { deleted } = await client.dlq.delete({ dlqIds: chunk.map((entry) => entry.dlqId) });
      outcome.deleted += deleted;
    } catch (error) {
      for (const entry of chunk) outcome.failed.push({ dlqId: entry.dlqId, error: errorText(error) });
    }
    onProgress?.({ done: Math.min(start + chunk.length, entries.length), total: entries.length });
  }
  return outcome;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
