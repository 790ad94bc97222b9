import { randomUUID } from "node:crypto";
import { describe, expect, test } from "vitest";
import { listEmailLog } from "@/lib/email-log/store";
import { getRun, jobUrl } from "@/lib/job-runtime";
import { welcomeEmail } from "@/lib/jobs/welcome-email";
import { signedRequest } from "../../helpers/qstash-signature";
import { engines, useEngine } from "./backends";

// QStash is at-least-once, and a bad day can hand the route the same message many
// times at once. 100 signed deliveries in parallel, each with its own fresh
// signature (so none is refused as a replay): exactly one run, one email.

const PARALLEL = 100;

interface Answer {
  status: number;
  body: { ok?: boolean; duplicate?: boolean; result?: { emailId?: string }; retryable?: boolean };
}

describe.each(engines)("parallel deliveries, $label", (engine) => {
  const running = useEngine(engine);
  if (!running) return;

  const welcomePayload = (slug: string) => {
    const email = `${slug}-${engine.real ? "real" : "embedded"}@example.com`;
    return { userId: `usr_${randomUUID().replaceAll("-", "")}`, email, name: "Ada" };
  };

  async function deliver(body: string, messageId: string): Promise<Answer> {
    const response = await fetch(signedRequest({ url: jobUrl(running!.app.url, welcomeEmail), body, messageId }));
    return { status: response.status, body: (await response.json()) as Answer["body"] };
  }

  /** Every answer is a clear one: the run, a duplicate, or "still running, come back" (409, what QStash retries). */
  function classify(answers: Answer[]) {
    for (const answer of answers) expect([200, 409], JSON.stringify(answer)).toContain(answer.status);
    return {
      ran: answers.filter((answer) => answer.status === 200 && !answer.body.duplicate),
      duplicates: answers.filter((answer) => answer.status === 200 && answer.body.duplicate === true),
      busy: answers.filter((answer) => answer.status === 409 && answer.body.retryable === true),
    };
  }

  /** What QStash does with each 409: delivers again after Retry-After. Bounded; by then the run is done. */
  async function redeliverBusy(body: string, messageIds: string[]) {
    const answers = await Promise.all(messageIds.map((messageId) => deliver(body, messageId)));
    const second = classify(answers);
    expect(second.ran).toEqual([]);
    expect(second.busy).toEqual([]);
  }

  const sentTo = (address: string) => running.stack.resend.emails().filter((email) => email.to.includes(address));

  test(`${PARALLEL} deliveries of one message: one run, one email, the rest duplicates or 409`, async () => {
    const payload = welcomePayload("one-message");
    const body = JSON.stringify(payload);
    const messageId = `msg_${randomUUID()}`;
    const outcome = classify(await Promise.all(Array.from({ length: PARALLEL }, () => deliver(body, messageId))));
    expect(outcome.ran).toHaveLength(1);
    expect(outcome.duplicates.length + outcome.busy.length).toBe(PARALLEL - 1);
    await redeliverBusy(
      body,
      outcome.busy.map(() => messageId),
    );

    const emails = sentTo(payload.email);
    expect(emails).toHaveLength(1);
    expect(outcome.ran[0]!.body.result).toEqual({ emailId: emails[0]!.id });
    expect(await getRun(running.app.services.redis, messageId)).toMatchObject({ job: "welcome-email", status: "succeeded" });
    expect(await listEmailLog(running.app.services.redis, payload.userId)).toEqual([
      expect.objectContaining({ job: "welcome-email", status: "sent", resendId: emails[0]!.id }),
    ]);
  });

  test(`${PARALLEL} messages with different ids for one idempotency key (one user): one run, one email`, async () => {
    const payload = welcomePayload("one-key");
    const body = JSON.stringify(payload);
    const messageIds = Array.from({ length: PARALLEL }, () => `msg_${randomUUID()}`);
    const answers = await Promise.all(messageIds.map((messageId) => deliver(body, messageId)));
    const outcome = classify(answers);
    expect(outcome.ran).toHaveLength(1);
    expect(outcome.duplicates.length + outcome.busy.length).toBe(PARALLEL - 1);
    await redeliverBusy(
      body,
      messageIds.filter((_, index) => answers[index]!.status === 409),
    );

    const emails = sentTo(payload.email);
    expect(emails).toHaveLength(1);
    expect(emails[0]!.idempotencyKey).toBe(`welcome-email/${payload.userId}`);
    const runs = await Promise.all(messageIds.map((messageId) => getRun(running.app.services.redis, messageId)));
    // Each message is done; all but one are recorded as duplicates of the one that ran.
    expect(runs.every((run) => run?.status === "succeeded")).toBe(true);
    const first = runs.filter((run) => run?.duplicateOf === undefined);
    expect(first).toHaveLength(1);
    expect(new Set(runs.map((run) => run?.duplicateOf).filter(Boolean))).toEqual(new Set([first[0]!.messageId]));
    expect(await listEmailLog(running.app.services.redis, payload.userId)).toEqual([
      expect.objectContaining({ job: "welcome-email", status: "sent", resendId: emails[0]!.id }),
    ]);
  });
});
