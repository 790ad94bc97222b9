import type { Client } from "@upstash/qstash";
import { decodeBase64, jobNameOf, parseJsonOrText, reasonFromResponse } from "../job-runtime";

/**
 * Pure helpers that turn what QStash stores (base64 bodies, `{name: [values]}`
 * headers, a destination URL) into what an operator wants to read: the job, its
 * payload and why it failed. Shared by the failure callback, the admin API and the CLI.
 */

/** One DLQ message as the official client returns it (the SDK does not export the type). */
export type DlqMessage = Awaited<ReturnType<Client["dlq"]["listMessages"]>>["messages"][number];

/** A DLQ message decoded for people. Times are Unix epoch ms. */
export interface DlqEntry {
  dlqId: string;
  messageId: string;
  /** From the destination path (`/api/jobs/<name>`), else the first label, else "unknown". */
  jobName: string;
  url: string;
  method: string;
  labels: string[];
  createdAt: number;
  /** The destination's last HTTP status, when QStash recorded one. */
  responseStatus: number | null;
  /** Why it failed: the `error` field of our route's JSON answer, or the raw answer text. */
  reason: string;
  /** The job payload, JSON-parsed when it is JSON, else the raw text. */
  payload: unknown;
  maxRetries: number | null;
  scheduleId: string | null;
}

/** Everything the list shows, plus the raw material for the detail view. */
export interface DlqEntryDetail extends DlqEntry {
  /** Request headers QStash forwarded to the destination. */
  headers: Record<string, string[]>;
  responseHeaders: Record<string, string[]>;
  /** The destination's answer, decoded: parsed JSON when it is JSON, else text. */
  responseBody: unknown;
  failureCallback: string | null;
}

export function decodeDlqMessage(message: DlqMessage): DlqEntryDetail {
  const payloadText = message.body ?? (message.bodyBase64 ? decodeBase64(message.bodyBase64) : "");
  const responseText = message.responseBody ?? (message.responseBodyBase64 ? decodeBase64(message.responseBodyBase64) : "");
  const labels = message.labels ?? (message.label ? [message.label] : []);
  const status = typeof message.responseStatus === "number" ? message.responseStatus : null;
  return {
    dlqId: message.dlqId,
    messageId: message.messageId,
    jobName: jobNameOf(message.url, labels),
    url: message.url,
    method: message.method ?? "POST",
    labels,
    createdAt: Number(message.createdAt ?? 0),
    responseStatus: status,
    reason: reasonFromResponse(responseText, status),
    payload: parseJsonOrText(payloadText),
    maxRetries: typeof message.maxRetries === "number" ? message.maxRetries : null,
    scheduleId: message.scheduleId ?? null,
    headers: message.header ?? {},
    responseHeaders: message.responseHeader ?? {},
    responseBody: parseJsonOrText(responseText),
    failureCallback: message.failureCallback ?? null,
  };
}

/** The list view: the detail without headers and raw answer. */
export function summarize(detail: DlqEntryDetail): DlqEntry {
  const {
    headers: _headers,
    responseHeaders: _responseHeaders,
    responseBody: _responseBody,
    failureCallback: _callback,
    ...entry
  } = detail;
  return entry;
}

/** A one-line, length-capped JSON rendering of a payload for tables and emails. */
export function excerpt(value: unknown, limit = 200): string {
  const text = typeof value === "string" ? value : (JSON.stringify(value) ?? String(value));
  return text.length > limit ? `${text.slice(0, limit - 1)}…` : text;
}
