import { z } from "zod";
import { EMAIL_PACE } from "../email/pace";
import { defineJob } from "./context";

/**
 * Emails the link to a finished report. Its own job so the email takes the shared
 * Resend pace: `generate-report` runs under its per-organisation flow-control key
 * and a message carries only one key. One email per report, however often it is published.
 */
export const reportReadyEmail = defineJob({
  name: "report-ready-email",
  schema: z.object({
    reportId: z.string().regex(/^rep_[0-9a-f]{32}$/),
    orgName: z.string().min(1).max(200),
    periodDays: z.number().int().min(1).max(366),
    // Top-level userId and email: the failure follow-up marks this user's email log from them.
    userId: z.string().min(1),
    email: z.email(),
    name: z.string().min(1).max(200),
  }),
  retries: 3,
  retryDelay: "pow(2, retried) * 1000",
  pace: EMAIL_PACE,
  idempotencyKey: (payload) => payload.reportId,
});
