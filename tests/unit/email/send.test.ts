import { afterEach, describe, expect, test } from "vitest";
import { createEmailSender, sendOrThrow, toJobError } from "@/lib/email/send";
import { NonRetryableError, RetryableError } from "@/lib/job-runtime";
import { resendHandlers, type ResendReply } from "../../msw/resend";
import { setupMsw } from "../../helpers/msw";

const BASE = "http://resend.test";
const replies: ResendReply[] = [];
const mock = resendHandlers(BASE, replies);
setupMsw(...mock.handlers);
afterEach(() => {
  mock.sent.length = 0;
  replies.length = 0;
});

const sender = createEmailSender({ apiKey: "re_test_123", baseUrl: BASE, from: "Acme <noreply@acme.test>" });
const message = {
  to: "ada@example.com",
  subject: "Hi",
  html: "<p>Hi</p>",
  text: "Hi",
  idempotencyKey: "welcome-email/u1",
  tags: [{ name: "job", value: "welcome-email" }],
};

describe("createEmailSender", () => {
  test("sends through the Resend SDK with the idempotency key", async () => {
    const result = await sender.send(message);
    expect(result).toEqual({ ok: true, id: "email_1" });
    expect(mock.sent[0]!.headers["idempotency-key"]).toBe("welcome-email/u1");
    expect(mock.sent[0]!.headers.authorization).toBe("Bearer re_test_123");
    expect(mock.sent[0]!.body).toEqual({
      from: "Acme <noreply@acme.test>",
      to: "ada@example.com",
      subject: "Hi",
      html: "<p>Hi</p>",
      text: "Hi",
      tags: [{ name: "job", value: "welcome-email" }],
    });
  });

  test("returns Resend's error as a value with its retry-after", async () => {
    replies.push({
      status: 429,
      body: { statusCode: 429, name: "rate_limit_exceeded", message: "Too many requests" },
      headers: { "retry-after": "3" },
    });
    const result = await sender.send(message);
    expect(result).toEqual({
      ok: false,
      error: { name: "rate_limit_exceeded", statusCode: 429, message: "Too many requests", retryAfterSeconds: 3 },
    });
  });
});

describe("toJobError", () => {
  test.each([
    [{ name: "application_error", statusCode: 500, message: "boom" }, RetryableError, 503, undefined],
    [{ name: "internal_server_error", statusCode: 502, message: "boom" }, RetryableError, 503, undefined],
    [{ name: "application_error", statusCode: null, message: "unreachable" }, RetryableError, 503, undefined],
    [{ name: "concurrent_idempotent_requests", statusCode: 409, message: "in flight" }, RetryableError, 503, undefined],
  ])("%o is retryable", (failure, kind, status, retryAfter) => {
    const error = toJobError(failure);
    expect(error).toBeInstanceOf(kind);
    expect((error as RetryableError).status).toBe(status);
    expect((error as RetryableError).retryAfterSeconds).toBe(retryAfter);
  });

  test.each([
    [0, 3],
    [0.2, 3],
    [0.3, 4],
    [0.99, 6],
  ])("a 429 waits Resend's retry-after (3 s) plus jitter: random %d → %d s", (random, seconds) => {
    const error = toJobError(
      { name: "rate_limit_exceeded", statusCode: 429, message: "slow", retryAfterSeconds: 3 },
      () => random,
    );
    expect(error).toBeInstanceOf(RetryableError);
    expect((error as RetryableError).status).toBe(429);
    expect((error as RetryableError).retryAfterSeconds).toBe(seconds);
  });

  test("a 429 without retry-after waits 1 s plus up to 1 s; a fraction of a second rounds up", () => {
    const rateLimited = { name: "rate_limit_exceeded", statusCode: 429, message: "slow" };
    expect((toJobError(rateLimited, () => 0) as RetryableError).retryAfterSeconds).toBe(1);
    expect((toJobError(rateLimited, () => 0.9) as RetryableError).retryAfterSeconds).toBe(2);
    expect((toJobError({ ...rateLimited, retryAfterSeconds: 0.4 }, () => 0) as RetryableError).retryAfterSeconds).toBe(1);
  });

  test.each([
    { name: "validation_error", statusCode: 422, message: "bad to" },
    { name: "invalid_api_key", statusCode: 403, message: "who are you" },
    { name: "missing_api_key", statusCode: 401, message: "no key" },
    { name: "invalid_idempotent_request", statusCode: 409, message: "payload differs" },
    { name: "daily_quota_exceeded", statusCode: 429, message: "quota" },
  ])("%o is not retryable", (failure) => {
    expect(toJobError(failure)).toBeInstanceOf(NonRetryableError);
  });

  test("a 429 without retry-after still waits a second (or two, with jitter)", () => {
    expect(
      (toJobError({ name: "rate_limit_exceeded", statusCode: 429, message: "x" }) as RetryableError).retryAfterSeconds,
    ).toBeOneOf([1, 2]);
  });
});

test("sendOrThrow throws the mapped error", async () => {
  replies.push({ status: 422, body: { statusCode: 422, name: "validation_error", message: "Invalid `to` field." } });
  await expect(sendOrThrow(sender, message)).rejects.toThrow(/validation_error/);
});
