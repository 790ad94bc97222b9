import { stageOutboxEntries, type OutboxEntry, type Redis } from "../job-runtime";
import { reportSchema, type Report } from "./model";

const reportKey = (reportId: string) => `report:${reportId}`;
/** Sorted set of an organisation's report ids, scored by creation time. */
const orgReportsKey = (orgId: string) => `reports:org:${orgId}`;
/** Reports (and their link) stay readable this long. */
const REPORT_TTL_SECONDS = 30 * 24 * 60 * 60;
/** Reports listed per organisation. */
const ORG_REPORTS_LIMIT = 50;

/** Stores the report; `followUp` (the job that builds it) goes into the outbox in the same transaction. */
export async function saveReport(redis: Redis, report: Report, followUp?: OutboxEntry): Promise<void> {
  const tx = redis.multi();
  // @upstash/redis stores objects as JSON and parses them back on read.
  tx.set(reportKey(report.id), report, { ex: REPORT_TTL_SECONDS });
  tx.zadd(orgReportsKey(report.orgId), { score: report.createdAt, member: report.id });
  tx.zremrangebyrank(orgReportsKey(report.orgId), 0, -(ORG_REPORTS_LIMIT + 1));
  tx.expire(orgReportsKey(report.orgId), REPORT_TTL_SECONDS);
  if (followUp) stageOutboxEntries(tx, [followUp]);
  await tx.exec();
}

export async function getReport(redis: Redis, reportId: string): Promise<Report | null> {
  const raw = await redis.get(reportKey(reportId));
  if (raw === null || raw === undefined) return null;
  const parsed = reportSchema.safeParse(typeof raw === "string" ? JSON.parse(raw) : raw);
  return parsed.success ? parsed.data : null;
}

/** Newest first. */
export async function listOrgReports(redis: Redis, orgId: string, limit = 20): Promise<Report[]> {
  const ids = (await redis.zrange<string[]>(orgReportsKey(orgId), 0, limit - 1, { rev: true })).map(String);
  const reports = await Promise.all(ids.map((id) => getReport(redis, id)));
  return reports.filter((report): report is Report => report !== null);
}
