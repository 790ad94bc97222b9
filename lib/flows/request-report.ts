import * as z from "zod/mini";
import { generateReport } from "../jobs/generate-report";
import { durableQueue } from "../jobs/outbox";
import { getOrg, isMember, randomHex } from "../orgs/store";
import type { Services } from "../deps";
import { getUser } from "../users/store";
import { saveReport } from "../reports/store";

export const PERIOD_DAYS = [7, 30, 90] as const;
const periodDays = z
  .pipe(z.coerce.number(), z.int())
  .check(z.refine((days) => (PERIOD_DAYS as readonly number[]).includes(days), "Pick 7, 30 or 90 days"));

/** `rep_` + 128 random bits in hex: the report link is unguessable. */
function newReportId(): string {
  return `rep_${randomHex(16)}`;
}

export type RequestReportResult =
  /** `messageId` is null while the job waits in the outbox (QStash unreachable); the report shows as queued either way. */
  | { ok: true; reportId: string; messageId: string | null }
  | { ok: false; reason: "invalid" | "not_found" | "forbidden"; message: string };

/**
 * Records the report as queued (so its page shows progress at once) together
 * with the job that builds it (one transaction, through the outbox), then
 * publishes the job: a queued report always has its job on the way.
 */
export async function requestReport(
  services: Services,
  input: { orgId: string; userId: string; periodDays: unknown },
): Promise<RequestReportResult> {
  const days = periodDays.safeParse(input.periodDays);
  if (!days.success) return { ok: false, reason: "invalid", message: days.error.issues[0]!.message };
  const org = await getOrg(services.redis, input.orgId);
  if (!org) return { ok: false, reason: "not_found", message: "This organisation doesn't exist." };
  const [member, user] = await Promise.all([
    isMember(services.redis, org.id, input.userId),
    getUser(services.redis, input.userId),
  ]);
  if (!member || !user)
    return { ok: false, reason: "forbidden", message: "Only members can request this organisation's reports." };
  const reportId = newReportId();
  const queue = durableQueue(services);
  const job = queue.prepare(generateReport, {
    reportId,
    orgId: org.id,
    periodDays: days.data,
    requestedBy: { userId: user.id, email: user.email, name: user.name },
  });
  const report = {
    id: reportId,
    orgId: org.id,
    orgName: org.name,
    requestedBy: user.id,
    periodDays: days.data,
    status: "queued",
    createdAt: services.clock.now(),
  } as const;
  await saveReport(services.redis, report, job);
  const { published } = await queue.publish([job]);
  return { ok: true, reportId, messageId: published[0]?.messageId ?? null };
}
