import { http, HttpResponse } from "msw";
import { afterEach, describe, expect, test } from "vitest";
import { checkResend } from "@/scripts/lib/doctor/accounts";
import { formatCheck, fail, pass } from "@/scripts/lib/doctor/check";
import { checkDurations } from "@/scripts/lib/doctor/configuration";
import { diagnose } from "@/scripts/lib/doctor/diagnose";
import { checkEnvironment } from "@/scripts/lib/doctor/environment";
import { testEnv } from "../../helpers/env";
import { setupMsw } from "../../helpers/msw";

const RESEND = "https://api.resend.com";
const server = setupMsw();
afterEach(() => server.resetHandlers());

// Production-like: no RESEND_BASE_URL, so the doctor asks Resend itself.
const env = { ...testEnv({ EMAIL_FROM: "Acme <hello@mail.acme.dev>" }), RESEND_BASE_URL: undefined };

describe("doctor: Resend", () => {
  const domains = (status: number, body: unknown) =>
    server.use(http.get(`${RESEND}/domains`, () => HttpResponse.json(body as never, { status })));

  test("✔ when EMAIL_FROM's domain is verified", async () => {
    domains(200, { object: "list", data: [{ name: "mail.acme.dev", status: "verified" }] });
    expect(await checkResend(env)).toMatchObject({ status: "pass", detail: "key accepted; mail.acme.dev is verified" });
  });

  test("✘ when the domain is pending or absent", async () => {
    domains(200, { object: "list", data: [{ name: "mail.acme.dev", status: "pending" }] });
    expect(await checkResend(env)).toMatchObject({
      status: "fail",
      detail: "EMAIL_FROM's domain mail.acme.dev is pending, not verified",
    });
    domains(200, { object: "list", data: [] });
    expect((await checkResend(env)).detail).toContain("not in this Resend account");
  });

  test("a sending-only key passes and says the domain could not be checked", async () => {
    domains(401, { statusCode: 401, name: "restricted_api_key", message: "This API key is restricted to only send emails" });
    const result = await checkResend(env);
    expect(result.status).toBe("pass");
    expect(result.detail).toContain("may only send");
  });

  test("✘ on an unknown key", async () => {
    domains(403, { statusCode: 403, name: "invalid_api_key", message: "API key is invalid" });
    expect(await checkResend(env)).toMatchObject({ status: "fail", detail: "Resend refused RESEND_API_KEY (invalid_api_key)" });
  });
});

describe("doctor: time limits", () => {
  test("✔ when every job's timeout fits inside the run budget and the budget inside maxDuration", () => {
    expect(checkDurations({ maxDurationSeconds: 60, jobMaxDurationSeconds: 60, jobs: [{ name: "a", timeout: 30 }] }).status).toBe(
      "pass",
    );
  });

  test("✘ when JOB_MAX_DURATION_SECONDS outlives maxDuration, or a job's timeout outlives both", () => {
    const result = checkDurations({
      maxDurationSeconds: 60,
      jobMaxDurationSeconds: 300,
      jobs: [
        { name: "slow-report", timeout: 120 },
        { name: "edge-job", timeout: 120, runtime: "edge" },
      ],
    });
    expect(result.status).toBe("fail");
    expect(result.detail).toBe(
      "JOB_MAX_DURATION_SECONDS=300 is above maxDuration=60: Vercel kills the function before the job's abort fires; " +
        'job "slow-report" has timeout 120s but a run may last at most 60s',
    );
  });
});

describe("doctor: reading answers", () => {
  const calledUrl = "https://app.example/api/jobs/test";
  test("a redirect names the URL to use instead", () => {
    expect(diagnose({ status: 308, body: "", location: "https://www.app.example/api/jobs/test" }, { calledUrl })).toMatchObject({
      cause: "redirect",
      fix: "set APP_URL to the URL the deployment answers on without redirecting (https://www.app.example)",
    });
  });
  test("Vercel's HTML 401 is protection; our JSON 401 about the subject is a URL mismatch", () => {
    expect(diagnose({ status: 401, contentType: "text/html", body: "<!doctype html>" }, { calledUrl }).cause).toBe("protection");
    const body = JSON.stringify({
      error: "invalid signature: invalid subject: https://a/api/jobs/test, want: https://b/api/jobs/test",
    });
    expect(diagnose({ status: 401, contentType: "application/json", body }, { calledUrl }).cause).toBe("url-mismatch");
  });
});

describe("doctor: environment and output", () => {
  test("malformed values are named even when the schema accepts them", () => {
    const { result } = checkEnvironment({
      ...testEnv(),
      QSTASH_CURRENT_SIGNING_KEY: "oops",
      APP_URL: "http://app.example",
    } as never);
    expect(result.status).toBe("fail");
    expect(result.detail).toContain('QSTASH_CURRENT_SIGNING_KEY should start with "sig_"');
    expect(result.detail).toContain("APP_URL must be https");
  });

  test("each result is one line: mark, title, detail and the fix", () => {
    expect(formatCheck(pass("x", "Redis", "answers PING"))).toBe("✔ Redis: answers PING");
    expect(formatCheck(fail("x", "Redis", "down\nhard", "start it"))).toBe("✘ Redis: down hard → fix: start it");
  });
});
