"use client";

import { type FormEvent, type MouseEvent, useCallback, useEffect, useRef, useState } from "react";
import type { ScheduleSummary } from "@/lib/admin/schedules";
import type { DlqEntry, DlqEntryDetail } from "@/lib/dlq/decode";
import type { JobRun } from "@/lib/job-runtime";
import { dlqAction, scheduleAction } from "./actions";
import type { AdminData } from "./data";
import {
  adminHref,
  type Filter,
  FILTER_FIELDS,
  filterInput,
  filterQuery,
  hasFilter,
  MATCHING,
  type Notice,
  type Pending,
  pendingValue,
  RUNS_SHOWN,
} from "./view";

/** How often the page re-reads the admin API. */
const POLL_MS = 3000;
const API = "/api/admin";

async function api<T>(path: string, init?: RequestInit): Promise<T> {
  const response = await fetch(`${API}${path}`, {
    cache: "no-store",
    ...init,
    headers: { ...(init?.body ? { "content-type": "application/json" } : {}), ...init?.headers },
  });
  // Session expired or token rotated: the server page shows the sign-in form.
  if (response.status === 401) {
    window.location.reload();
    throw new Error("signed out");
  }
  const body = (await response.json()) as T & { error?: string };
  if (!response.ok) throw new Error(body.error ?? `HTTP ${response.status}`);
  return body;
}

/** With JavaScript a button acts in place; without it, its form goes to the server (see ./view.ts). */
const inPlace = (act: () => void) => (event: MouseEvent) => {
  event.preventDefault();
  act();
};

/** The filter as hidden fields, so every form without JavaScript comes back to the same view. */
function FilterFields({ filter }: { filter: Filter }) {
  return (
    <>
      {FILTER_FIELDS.filter((field) => filter[field]).map((field) => (
        <input key={field} type="hidden" name={field} value={filter[field]} />
      ))}
    </>
  );
}

const time = (ms: number | null | undefined) =>
  ms
    ? new Date(ms)
        .toISOString()
        .replace("T", " ")
        .replace(/\.\d{3}Z$/, "Z")
    : "–";
const pretty = (value: unknown) => (typeof value === "string" ? value || "(empty)" : JSON.stringify(value, null, 2));
const short = (value: unknown, limit = 80) => {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > limit ? `${text.slice(0, limit - 1)}…` : text;
};

export function AdminDashboard({
  initial,
  filter: initialFilter,
  pending: initialPending,
  notice: initialNotice,
}: {
  initial: AdminData;
  filter: Filter;
  pending: Pending;
  notice: Notice;
}) {
  const [runs, setRuns] = useState<JobRun[] | null>(initial.runs);
  const [dlq, setDlq] = useState<{ messages: DlqEntry[]; cursor?: string } | null>(initial.dlq);
  const [schedules, setSchedules] = useState<ScheduleSummary[] | null>(initial.schedules);
  const [loadError, setLoadError] = useState<string | null>(initial.loadError);
  const [filter, setFilter] = useState<Filter>(initialFilter);
  const [applied, setApplied] = useState<Filter>(initialFilter);
  const [pending, setPending] = useState<Pending>(initialPending);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<Notice>(initialNotice);
  const [detail, setDetail] = useState<DlqEntryDetail | null>(initial.detail);
  const [detailError, setDetailError] = useState<string | null>(initial.detailError);
  const [updatedAt, setUpdatedAt] = useState<number>(initial.loadedAt);
  const appliedRef = useRef(applied);
  appliedRef.current = applied;

  const load = useCallback(async () => {
    try {
      const [runsBody, dlqBody, schedulesBody] = await Promise.all([
        api<{ runs: JobRun[] }>(`/runs?limit=${RUNS_SHOWN}`),
        api<{ messages: DlqEntry[]; cursor?: string }>(`/dlq?${filterQuery(appliedRef.current)}`),
        api<{ schedules: ScheduleSummary[] }>("/schedules"),
      ]);
      setRuns(runsBody.runs);
      setDlq(dlqBody);
      setSchedules(schedulesBody.schedules);
      setLoadError(null);
      setUpdatedAt(Date.now());
    } catch (error) {
      setLoadError(error instanceof Error ? error.message : String(error));
    }
  }, []);

  // The server rendered fresh data; from here the page polls. `applied` re-runs the poll with the new
  // filters; `load` reads them through a ref, so it never changes.
  // biome-ignore lint/correctness/useExhaustiveDependencies: see above.
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === "visible") void load();
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [load, applied]);

  // Keep the address the page's state (filter only), so a reload or a copied link shows the same view.
  useEffect(() => {
    window.history.replaceState(null, "", adminHref(applied));
  }, [applied]);

  const openDetail = useCallback(async (dlqId: string) => {
    setDetailError(null);
    try {
      setDetail((await api<{ message: DlqEntryDetail }>(`/dlq/${encodeURIComponent(dlqId)}`)).message);
    } catch (error) {
      setDetail(null);
      setDetailError(`${dlqId}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }, []);

  async function confirmPending() {
    if (!pending) return;
    setBusy(true);
    try {
      const { action, dlqId } = pending;
      let text: string;
      if (dlqId === "matching") {
        const selection = hasFilter(applied) ? { filter: filterInput(applied) } : { all: true };
        const outcome = await api<{ matched: number; retried?: unknown[]; deleted?: number; failed: unknown[] }>(
          `/dlq/${action}`,
          {
            method: "POST",
            body: JSON.stringify(selection),
          },
        );
        text =
          action === "retry"
            ? `Retried ${outcome.retried?.length ?? 0} of ${outcome.matched} messages.`
            : `Deleted ${outcome.deleted ?? 0} of ${outcome.matched} messages.`;
        if (outcome.failed.length > 0) text += ` ${outcome.failed.length} failed.`;
      } else if (action === "retry") {
        const outcome = await api<{ retried: Array<{ messageId: string | null }> }>(`/dlq/${encodeURIComponent(dlqId)}/retry`, {
          method: "POST",
        });
        text = `Retried ${dlqId}: delivered again as ${outcome.retried[0]?.messageId ?? "a new message"}.`;
      } else {
        await api(`/dlq/${encodeURIComponent(dlqId)}`, { method: "DELETE" });
        text = `Deleted ${dlqId}.`;
      }
      if (detail && (dlqId === "matching" || detail.dlqId === dlqId)) setDetail(null);
      setNotice({ text });
    } catch (error) {
      setNotice({ text: error instanceof Error ? error.message : String(error), bad: true });
    } finally {
      setPending(null);
      setBusy(false);
      await load();
    }
  }

  async function toggleSchedule(schedule: ScheduleSummary) {
    const action = schedule.isPaused ? "resume" : "pause";
    try {
      await api(`/schedules/${encodeURIComponent(schedule.scheduleId)}/${action}`, { method: "POST" });
      setNotice({ text: `${action === "pause" ? "Paused" : "Resumed"} schedule ${schedule.scheduleId}.` });
    } catch (error) {
      setNotice({ text: error instanceof Error ? error.message : String(error), bad: true });
    }
    await load();
  }

  function applyFilter(event: FormEvent) {
    event.preventDefault();
    appliedRef.current = filter;
    setApplied(filter);
    void load();
  }

  /** The confirm step: a form that acts without JavaScript, and in place with it. */
  const confirmBox = (label: string, step: NonNullable<Pending>) => (
    <form action={dlqAction} className="confirm" aria-label={label} data-testid="confirm">
      {label}
      <input type="hidden" name="target" value={step.dlqId} />
      <FilterFields filter={applied} />
      <button
        type="submit"
        name="op"
        value={step.action}
        className={step.action === "delete" ? "danger" : ""}
        disabled={busy}
        onClick={inPlace(() => void confirmPending())}
      >
        {step.action === "delete" ? "Confirm delete" : "Confirm retry"}
      </button>
      <button
        type="submit"
        name="op"
        value="cancel"
        className="secondary"
        disabled={busy}
        onClick={inPlace(() => setPending(null))}
      >
        Cancel
      </button>
    </form>
  );

  /** A button that asks for the confirm step: in place with JavaScript, as `?confirm=` without it. */
  const askButton = (step: NonNullable<Pending>, text: string, className = "") => (
    <button
      type="submit"
      name="confirm"
      value={pendingValue(step.action, step.dlqId)}
      className={className}
      onClick={inPlace(() => setPending(step))}
    >
      {text}
    </button>
  );

  /** Opens a DLQ message's details: in place with JavaScript, as `?dlq=` without it. */
  const detailButton = (dlqId: string, text: string) => (
    <button type="submit" name="dlq" value={dlqId} className="secondary" onClick={inPlace(() => void openDetail(dlqId))}>
      {text}
    </button>
  );

  const messages = dlq?.messages ?? [];
  const bulkLabel = (action: "retry" | "delete") =>
    `${action === "retry" ? "Retry" : "Delete"} every message matching this filter${dlq?.cursor ? " (more than shown)" : ` (${messages.length})`}?`;
  return (
    <div>
      <p className="muted" data-testid="updated">
        Refreshes every {POLL_MS / 1000} s with JavaScript · last update {time(updatedAt)}
      </p>
      {loadError ? (
        <p className="notice bad" role="alert">
          Could not load: {loadError}
        </p>
      ) : null}
      {notice ? (
        <p className={`notice${notice.bad ? " bad" : ""}`} role="status" data-testid="notice">
          {notice.text}
        </p>
      ) : null}

      <h2>
        Dead-letter queue{" "}
        <small>{dlq ? `${messages.length}${dlq.cursor ? "+" : ""} message${messages.length === 1 ? "" : "s"}` : ""}</small>
      </h2>
      <form className="filters" method="get" action="/admin" onSubmit={applyFilter} aria-label="DLQ filter">
        <div>
          <label htmlFor="f-job">Job</label>
          <input
            id="f-job"
            name="job"
            value={filter.job}
            placeholder="welcome-email"
            onChange={(e) => setFilter({ ...filter, job: e.target.value.trim() })}
          />
        </div>
        <div>
          <label htmlFor="f-status">Status</label>
          <input
            id="f-status"
            name="status"
            value={filter.status}
            inputMode="numeric"
            placeholder="489"
            size={5}
            onChange={(e) => setFilter({ ...filter, status: e.target.value.trim() })}
          />
        </div>
        <div>
          <label htmlFor="f-from">From (UTC)</label>
          <input
            id="f-from"
            name="from"
            type="datetime-local"
            value={filter.from}
            onChange={(e) => setFilter({ ...filter, from: e.target.value })}
          />
        </div>
        <div>
          <label htmlFor="f-to">To (UTC)</label>
          <input
            id="f-to"
            name="to"
            type="datetime-local"
            value={filter.to}
            onChange={(e) => setFilter({ ...filter, to: e.target.value })}
          />
        </div>
        <button type="submit">Filter</button>
        {messages.length > 0 && pending?.dlqId !== MATCHING ? (
          <>
            {askButton({ action: "retry", dlqId: MATCHING }, "Retry all matching", "secondary")}
            {askButton({ action: "delete", dlqId: MATCHING }, "Delete all matching", "danger")}
          </>
        ) : null}
      </form>
      {messages.length > 0 && pending?.dlqId === MATCHING ? confirmBox(bulkLabel(pending.action), pending) : null}
      {dlq && messages.length === 0 ? (
        <p className="muted" data-testid="dlq-empty">
          No dead messages.
        </p>
      ) : null}
      {messages.length > 0 ? (
        <table data-testid="dlq-table">
          <thead>
            <tr>
              <th>DLQ id</th>
              <th>Job</th>
              <th>Status</th>
              <th>Published</th>
              <th>Reason</th>
              <th>Payload</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {messages.map((entry) => (
              <tr key={entry.dlqId} data-testid="dlq-row" data-dlq-id={entry.dlqId} data-message-id={entry.messageId}>
                <td>
                  <code>{entry.dlqId}</code>
                </td>
                <td>{entry.jobName}</td>
                <td>{entry.responseStatus ?? "–"}</td>
                <td>{time(entry.createdAt)}</td>
                <td className="reason">{short(entry.reason, 120)}</td>
                <td>
                  <code>{short(entry.payload)}</code>
                </td>
                <td>
                  {pending?.dlqId === entry.dlqId ? (
                    confirmBox(pending.action === "retry" ? "Retry this message?" : "Delete this message for good?", pending)
                  ) : (
                    <form method="get" action="/admin" className="row-actions">
                      <FilterFields filter={applied} />
                      {detailButton(entry.dlqId, "Details")}
                      {askButton({ action: "retry", dlqId: entry.dlqId }, "Retry")}
                      {askButton({ action: "delete", dlqId: entry.dlqId }, "Delete", "danger")}
                    </form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {detailError ? <p className="notice bad">{detailError}</p> : null}
      {detail ? <Detail entry={detail} filter={applied} onClose={() => setDetail(null)} /> : null}

      <h2>
        Job runs <small>most recent first</small>
      </h2>
      {runs && runs.length === 0 ? <p className="muted">No runs recorded yet.</p> : null}
      {runs && runs.length > 0 ? (
        <table data-testid="runs-table">
          <thead>
            <tr>
              <th>Message id</th>
              <th>Job</th>
              <th>Status</th>
              <th>Attempts</th>
              <th>Last change</th>
              <th>Error</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((run) => (
              <tr key={run.messageId} data-testid="run-row" data-message-id={run.messageId} data-status={run.status}>
                <td>
                  <code>{run.messageId}</code>
                </td>
                <td>{run.job}</td>
                <td>
                  <span className={`status status-${run.status}`}>{run.status}</span>
                  {run.dlqId ? (
                    <form method="get" action="/admin" className="row-actions">
                      <FilterFields filter={applied} />
                      {detailButton(run.dlqId, "DLQ")}
                    </form>
                  ) : null}
                </td>
                <td>{run.attempts}</td>
                <td>{time(run.finishedAt ?? run.startedAt ?? run.queuedAt)}</td>
                <td className="reason">{run.lastError ? short(run.lastError, 120) : ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}

      <h2>Schedules</h2>
      {schedules && schedules.length === 0 ? <p className="muted">No schedules.</p> : null}
      {schedules && schedules.length > 0 ? (
        <table data-testid="schedules-table">
          <thead>
            <tr>
              <th>Schedule</th>
              <th>Job</th>
              <th>Cron</th>
              <th>State</th>
              <th>Next run</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {schedules.map((schedule) => (
              <tr
                key={schedule.scheduleId}
                data-testid="schedule-row"
                data-schedule-id={schedule.scheduleId}
                data-paused={String(schedule.isPaused)}
              >
                <td>
                  <code>{schedule.scheduleId}</code>
                </td>
                <td>{schedule.jobName}</td>
                <td>
                  <code>{schedule.cron}</code>
                </td>
                <td>{schedule.isPaused ? "paused" : "active"}</td>
                <td>{schedule.isPaused ? "–" : time(schedule.nextScheduleTime)}</td>
                <td>
                  <form action={scheduleAction} className="row-actions">
                    <input type="hidden" name="scheduleId" value={schedule.scheduleId} />
                    <FilterFields filter={applied} />
                    <button
                      type="submit"
                      name="op"
                      value={schedule.isPaused ? "resume" : "pause"}
                      className="secondary"
                      onClick={inPlace(() => void toggleSchedule(schedule))}
                    >
                      {schedule.isPaused ? "Resume" : "Pause"}
                    </button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}

function Detail({ entry, filter, onClose }: { entry: DlqEntryDetail; filter: Filter; onClose(): void }) {
  const headers = (map: Record<string, string[]>) =>
    Object.entries(map)
      .map(([name, values]) => `${name}: ${values.join(", ")}`)
      .join("\n") || "(none)";
  return (
    <div className="detail" data-testid="dlq-detail" data-dlq-id={entry.dlqId}>
      <div className="admin-head">
        <h3>
          {entry.jobName} · <code>{entry.dlqId}</code>
        </h3>
        <form method="get" action="/admin">
          <FilterFields filter={filter} />
          <button type="submit" className="secondary" onClick={inPlace(onClose)}>
            Close
          </button>
        </form>
      </div>
      <dl>
        <dt>Message id</dt>
        <dd>
          <code>{entry.messageId}</code>
        </dd>
        <dt>Destination</dt>
        <dd>
          {entry.method} {entry.url}
        </dd>
        <dt>Published</dt>
        <dd>{time(entry.createdAt)}</dd>
        <dt>Last status</dt>
        <dd>{entry.responseStatus ?? "–"}</dd>
        <dt>Reason</dt>
        <dd data-testid="dlq-reason">{entry.reason}</dd>
        <dt>Max retries</dt>
        <dd>{entry.maxRetries ?? "–"}</dd>
      </dl>
      <h4>Payload</h4>
      <pre data-testid="dlq-payload">{pretty(entry.payload)}</pre>
      <h4>Response body</h4>
      <pre>{pretty(entry.responseBody)}</pre>
      <h4>Request headers</h4>
      <pre>{headers(entry.headers)}</pre>
      <h4>Response headers</h4>
      <pre>{headers(entry.responseHeaders)}</pre>
    </div>
  );
}
