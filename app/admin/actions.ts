"use server";

import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import {
  ADMIN_COOKIE,
  closeAdminSession,
  createAdminSession,
  redisAdminSessions,
  tokensMatch,
  verifyAdminSession,
} from "@/lib/admin/auth";
import { type DlqCommandOutcome, runDlqCommand } from "@/lib/admin/commands";
import { setSchedulePaused } from "@/lib/admin/schedules";
import { resolveNext } from "@/lib/auth/redirect";
import { dlqFilterInputSchema, isEmptyFilter } from "@/lib/dlq/filters";
import type { DlqSelection } from "@/lib/dlq/operations";
import { log } from "@/lib/job-runtime";
import { getServices } from "@/lib/services";
import { secureCookies } from "@/lib/sessions";
import { adminHref, filterInput, MATCHING, readFilter } from "./view";

export interface SignInState {
  error?: string;
}

/** Checks the token in constant time and sets the signed, httpOnly session cookie (never the token itself). */
export async function signInAction(_previous: SignInState, form: FormData): Promise<SignInState> {
  const { env, clock, redis } = getServices();
  if (!env.ADMIN_TOKEN) return { error: "Admin is disabled: set ADMIN_TOKEN to use it." };
  const presented = String(form.get("token") ?? "");
  if (!presented || !(await tokensMatch(env.ADMIN_TOKEN, presented))) return { error: "That token is not right." };
  const session = await createAdminSession(env.ADMIN_TOKEN, redisAdminSessions(redis), clock.now());
  (await cookies()).set(ADMIN_COOKIE, session.value, {
    httpOnly: true,
    // Strict: the cookie never rides on a request started by another site.
    sameSite: "strict",
    secure: secureCookies(env.APP_URL),
    maxAge: session.maxAgeSeconds,
    path: "/",
  });
  redirect(resolveNext(form.get("next"), env.APP_URL, { fallback: "/admin", within: "/admin" }));
}

/** Closes the session server-side first: a copy of the cookie elsewhere stops working too. */
export async function signOutAction(): Promise<void> {
  const { env, clock, redis } = getServices();
  const jar = await cookies();
  if (env.ADMIN_TOKEN)
    await closeAdminSession(env.ADMIN_TOKEN, jar.get(ADMIN_COOKIE)?.value, clock.now(), redisAdminSessions(redis));
  jar.delete(ADMIN_COOKIE);
  redirect("/admin");
}

/**
 * The signed-in admin's services, or null for anyone else. Every state-changing
 * action asks first: a server action is a public POST endpoint like any other.
 * (Next.js also refuses a server action whose Origin is not this host, and the
 * session cookie is SameSite=Strict.)
 */
async function signedInAdmin() {
  const services = getServices();
  const { env, clock, redis } = services;
  if (!env.ADMIN_TOKEN) return null;
  const session = (await cookies()).get(ADMIN_COOKIE)?.value;
  return (await verifyAdminSession(env.ADMIN_TOKEN, session, clock.now(), redisAdminSessions(redis))) ? services : null;
}

/**
 * Retry or delete one DLQ message, or every message matching the filter: the
 * confirmed step of the page's buttons when they run without JavaScript. Ends
 * on the page with the filter kept and the outcome named.
 */
export async function dlqAction(form: FormData): Promise<void> {
  const filter = readFilter(formParams(form));
  const services = await signedInAdmin();
  if (!services) redirect("/admin");
  const op = String(form.get("op") ?? "");
  const target = String(form.get("target") ?? "");
  if ((op !== "retry" && op !== "delete") || !target) redirect(adminHref(filter));
  let selection: DlqSelection;
  if (target === MATCHING) {
    const parsed = dlqFilterInputSchema.safeParse(filterInput(filter));
    if (!parsed.success) redirect(adminHref(filter, { done: "invalid" }));
    // An empty filter means every message; the page said so on the confirm step.
    selection = isEmptyFilter(parsed.data) ? { all: true } : { filter: parsed.data };
  } else {
    selection = { dlqIds: [target] };
  }
  let outcome: DlqCommandOutcome;
  try {
    outcome = await runDlqCommand(services, op, selection);
  } catch (error) {
    log.error("admin_action_failed", { op, target, error });
    redirect(adminHref(filter, { done: "error" }));
  }
  if (target !== MATCHING && outcome.matched === 0) redirect(adminHref(filter, { done: "missing", id: target }));
  const done = outcome.action === "retry" ? "retried" : "deleted";
  const changed = outcome.action === "retry" ? outcome.retried.length : outcome.deleted;
  const report: Record<string, string | number> = { done, n: changed, of: outcome.matched, failed: outcome.failed.length };
  if (target !== MATCHING) report.id = target;
  const replay = outcome.action === "retry" && target !== MATCHING ? outcome.retried[0]?.messageId : null;
  if (replay) report.as = replay;
  redirect(adminHref(filter, report));
}

/** Pause or resume a schedule from its row, without JavaScript. */
export async function scheduleAction(form: FormData): Promise<void> {
  const filter = readFilter(formParams(form));
  const services = await signedInAdmin();
  if (!services) redirect("/admin");
  const op = String(form.get("op") ?? "");
  const scheduleId = String(form.get("scheduleId") ?? "");
  if ((op !== "pause" && op !== "resume") || !scheduleId) redirect(adminHref(filter));
  try {
    await setSchedulePaused(services.qstash, scheduleId, op === "pause");
  } catch (error) {
    log.error("admin_action_failed", { op, scheduleId, error });
    redirect(adminHref(filter, { done: "error" }));
  }
  redirect(adminHref(filter, { done: op === "pause" ? "paused" : "resumed", id: scheduleId }));
}

function formParams(form: FormData): URLSearchParams {
  const params = new URLSearchParams();
  for (const [name, value] of form.entries()) if (typeof value === "string") params.append(name, value);
  return params;
}
