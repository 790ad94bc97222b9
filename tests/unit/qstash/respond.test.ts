import { describe, expect, test } from "vitest";
import { InvalidSignatureError, NonRetryableError, RetryableError, JobTimeoutError, errorToResponse } from "@/lib/job-runtime";

describe("errorToResponse", () => {
  test("NonRetryableError → 489 with the non-retryable header", async () => {
    const response = errorToResponse(new NonRetryableError("user gone"), { job: "x" });
    expect(response.status).toBe(489);
    expect(response.headers.get("Upstash-NonRetryable-Error")).toBe("true");
    expect(await response.json()).toEqual({ error: "user gone", job: "x" });
  });

  test("RetryableError → its status with Retry-After in whole seconds", async () => {
    const response = errorToResponse(new RetryableError("slow down", 1.2, { status: 429 }));
    expect(response.status).toBe(429);
    expect(response.headers.get("Retry-After")).toBe("2");
    expect(await response.json()).toMatchObject({ error: "slow down", retryable: true });
  });

  test("RetryableError defaults to 503 and leaves QStash's backoff alone without retryAfter", () => {
    const response = errorToResponse(new RetryableError("later"));
    expect(response.status).toBe(503);
    expect(response.headers.get("Retry-After")).toBeNull();
  });

  test("a timeout is retryable (504)", () => {
    expect(errorToResponse(new JobTimeoutError(1000)).status).toBe(504);
  });

  test("invalid signature → 401", () => {
    expect(errorToResponse(new InvalidSignatureError("bad")).status).toBe(401);
  });

  test("anything else → 500 without leaking the message", async () => {
    const response = errorToResponse(new Error("db password is hunter2"));
    expect(response.status).toBe(500);
    expect(JSON.stringify(await response.json())).not.toContain("hunter2");
  });
});
