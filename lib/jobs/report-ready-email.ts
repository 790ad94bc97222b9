import * as z from "zod/mini";
import { EMAIL_PACE } from "../email/pace";
import { defineJob } from "./context";
import { recipientShape } from "./recipient";

/**
 * Emails the link to a finished report. Its own job so the email takes the shared
 * Resend pace: `generate-report` runs under its per-organisation flow-control key
 * and a message carries only one key. One email per report, however often it is published.
 */
export const reportReadyEmail = defineJob({
  name: "report-ready-email",
  schema: z.object({
    reportId: z.string().check(z.regex(/^rep_[0-9a-f]{32}$/)),
    orgName: z.string().check(z.minLength(1), z.maxLength(200)),
    periodDays: z.int().check(z.gte(1), z.lte(366)),
    // Top-level userId and email: the failure follow-up marks this user's email log from them.
    ...recipientShape,
  }),
  retries: 3,
  retryDelay: "pow(2, retried) * 1000",
  pace: EMAIL_PACE,
  idempotencyKey: (payload) => payload.reportId,
});
