import { describe, expect, test } from "vitest";
import { jobNameFromUrl, decodeFailure } from "@/lib/job-runtime";

const b64 = (text: string) => Buffer.from(text).toString("base64");

describe("decodeFailure", () => {
  test("decodes the job, the payload and our route's reason", () => {
    const failure = decodeFailure({
      status: 489,
      body: b64(JSON.stringify({ error: "invalid payload: ✖ bad email", job: "welcome-email" })),
      sourceMessageId: "msg_1",
      dlqId: "dlq_1",
      url: "https://app.test/api/jobs/welcome-email",
      sourceBody: b64(JSON.stringify({ userId: "u1" })),
      retried: 0,
    });
    expect(failure).toEqual({
      messageId: "msg_1",
      dlqId: "dlq_1",
      jobName: "welcome-email",
      status: 489,
      reason: "invalid payload: ✖ bad email",
      payload: { userId: "u1" },
      retried: 0,
      // Until the run record says otherwise (see handleFailureCallback): the key of a run with no business key.
      idempotencyKey: "welcome-email/msg_1",
    });
  });

  test("keeps non-JSON answers as text", () => {
    const failure = decodeFailure({
      status: 502,
      body: b64("<html>Bad gateway</html>"),
      sourceMessageId: "msg_2",
      url: "https://app.test/api/edge/jobs/test",
      sourceBody: b64("plain"),
    });
    expect(failure.reason).toBe("<html>Bad gateway</html>");
    expect(failure.payload).toBe("plain");
    expect(failure.jobName).toBe("test");
  });
});

test("jobNameFromUrl ignores other paths", () => {
  expect(jobNameFromUrl("https://app.test/api/other/x")).toBe("unknown");
  expect(jobNameFromUrl("not a url")).toBe("unknown");
});
