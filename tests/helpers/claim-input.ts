import type { ClaimInput } from "@/lib/job-runtime";

/** The clock of the script-client tests: any fixed instant will do, as long as claims and tokens agree on it. */
export const CLAIM_NOW = 1_700_000_000_000;

/** A first delivery's claim of the `test` job at CLAIM_NOW, with a 30 s budget and a token valid for 5 min. */
export function claimInput(overrides: Partial<ClaimInput> = {}): ClaimInput {
  return {
    jobName: "test",
    idempotencyKey: "test/msg_1",
    messageId: "msg_1",
    leaseMs: 60_000,
    deadlineMs: CLAIM_NOW + 30_000,
    nowMs: CLAIM_NOW,
    leaseId: "lease_1",
    token: { jti: "jwt_1", exp: CLAIM_NOW / 1_000 + 300 },
    ...overrides,
  };
}
