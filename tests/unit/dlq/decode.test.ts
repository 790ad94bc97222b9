import { describe, expect, test } from "vitest";
import { decodeDlqMessage, excerpt, summarize } from "@/lib/dlq/decode";
import { decodeBase64, jobNameOf, reasonFromResponse } from "@/lib/job-runtime";
import { failedTestJob } from "./fake-qstash";

type Message = Parameters<typeof decodeDlqMessage>[0];

describe("decodeDlqMessage", () => {
  test("names the job, parses the payload and reads our route's reason", () => {
    const detail = decodeDlqMessage(failedTestJob(1) as Message);
    expect(detail).toMatchObject({
      dlqId: "dlq_1",
      messageId: "msg_1",
      jobName: "test",
      responseStatus: 489,
      reason: "test job asked to fail: boom 1",
      payload: { message: "boom 1", failWith: "non-retryable" },
      responseBody: { error: "test job asked to fail: boom 1", job: "test", messageId: "msg_1" },
      headers: { "Content-Type": ["application/json"] },
      labels: ["test"],
      maxRetries: 3,
    });
    expect(summarize(detail)).not.toHaveProperty("headers");
    expect(summarize(detail)).not.toHaveProperty("responseBody");
  });

  test("keeps a proxy's HTML answer and a non-JSON body as text", () => {
    const detail = decodeDlqMessage(
      failedTestJob(2, {
        body: "plain text",
        responseBodyBase64: undefined,
        responseBody: "<html>502 Bad Gateway</html>",
        responseStatus: 502,
      }) as Message,
    );
    expect(detail.payload).toBe("plain text");
    expect(detail.reason).toBe("<html>502 Bad Gateway</html>");
  });

  test("decodes base64 bodies as UTF-8", () => {
    const detail = decodeDlqMessage(
      failedTestJob(3, { body: undefined, bodyBase64: Buffer.from('{"message":"héllo ✓"}').toString("base64") }) as Message,
    );
    expect(detail.payload).toEqual({ message: "héllo ✓" });
  });

  test("falls back to the status when the answer was empty", () => {
    expect(reasonFromResponse("", 504)).toBe("HTTP 504");
    expect(reasonFromResponse("", null)).toBe("no response");
    expect(reasonFromResponse("x".repeat(5000), 500)).toHaveLength(2000);
  });
});

describe("jobNameOf", () => {
  test("prefers the URL path of either runtime, then the first label", () => {
    expect(jobNameOf("https://app.test/api/jobs/welcome-email")).toBe("welcome-email");
    expect(jobNameOf("https://app.test/api/edge/jobs/test")).toBe("test");
    expect(jobNameOf("https://elsewhere.test/hook", ["report", "nightly"])).toBe("report");
    expect(jobNameOf("https://elsewhere.test/hook")).toBe("unknown");
  });
});

test("decodeBase64 returns non-base64 text unchanged", () => {
  expect(decodeBase64("not base64!")).toBe("not base64!");
  expect(decodeBase64("")).toBe("");
});

test("excerpt caps long payloads on one line", () => {
  expect(excerpt({ a: 1 })).toBe('{"a":1}');
  expect(excerpt("x".repeat(300), 10)).toBe(`${"x".repeat(9)}…`);
});
