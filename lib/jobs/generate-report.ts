import * as z from "zod/mini";
import { defineJob } from "./context";
import { recipientShape } from "./recipient";

/**
 * Builds an organisation's delivery report (its members' email log and the
 * runs behind it), stores it and hands the link to `report-ready-email`, which
 * sends it under the shared Resend pace. Reports of one organisation run one at
 * a time (flow control), different organisations in parallel.
 */
export const generateReport = defineJob({
  name: "generate-report",
  schema: z.object({
    reportId: z.string().check(z.regex(/^rep_[0-9a-f]{32}$/)),
    orgId: z.string().check(z.minLength(1), z.maxLength(100)),
    periodDays: z.int().check(z.gte(1), z.lte(366)),
    requestedBy: z.object(recipientShape),
  }),
  retries: 2,
  retryDelay: "pow(2, retried) * 1000",
  flowControl: { key: (payload) => `report:${payload.orgId}`, parallelism: 1 },
  idempotencyKey: (payload) => payload.reportId,
});
