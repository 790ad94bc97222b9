import { afterEach, describe, expect, test } from "vitest";
import { handleJobRequest, createVerifier } from "@/lib/job-runtime";
import { jobs as registry } from "@/lib/jobs/registry";
import { createServices, jobRouteDepsOf } from "@/lib/services";
import { DEV_CURRENT_KEY, DEV_NEXT_KEY, signDelivery, signedRequest } from "../../helpers/qstash-signature";
import { testEnv } from "../../helpers/env";
import { redisRecorder } from "../../msw/redis";
import { setupMsw } from "../../helpers/msw";

// Every answer below is decided before the first Redis command: the recorder
// fails any command it sees, and each test asserts it saw none.
const env = testEnv();
const redis = redisRecorder(env.UPSTASH_REDIS_REST_URL);
setupMsw(...redis.handlers);
afterEach(() => {
  redis.requests.length = 0;
});

const services = createServices(env);
const verify = createVerifier({ currentSigningKey: DEV_CURRENT_KEY, nextSigningKey: DEV_NEXT_KEY });
const url = "https://app.test/api/jobs/test";
const body = JSON.stringify({ message: "hello" });

async function deliver(request: Request, job = "test", runtime: "nodejs" | "edge" = "nodejs") {
  const response = await handleJobRequest(registry, job, request, { ...jobRouteDepsOf(services, verify), runtime });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

describe("signature checks: 401 and no side effect", () => {
  const nowSeconds = Math.floor(Date.now() / 1000);
  const cases: Array<[string, () => Request]> = [
    ["missing Upstash-Signature header", () => signedRequest({ url, body, signature: null })],
    [
      "tampered body",
      () =>
        signedRequest({
          url,
          body: body.replace("hello", "HELLO"),
          signature: signDelivery({ key: DEV_CURRENT_KEY, url, body }),
        }),
    ],
    ["a key that is neither current nor next", () => signedRequest({ url, body, key: "sig_not_ours" })],
    ["expired token", () => signedRequest({ url, body, iat: nowSeconds - 600 })],
    ["token not yet valid", () => signedRequest({ url, body, iat: nowSeconds + 600 })],
    [
      "token minted for another URL (sub)",
      () =>
        signedRequest({
          url,
          body,
          signature: signDelivery({ key: DEV_CURRENT_KEY, url: "https://app.test/api/jobs/other", body }),
        }),
    ],
    [
      "token minted for another app on the same keys",
      () =>
        signedRequest({
          url,
          body,
          signature: signDelivery({ key: DEV_CURRENT_KEY, url: "https://evil.test/api/jobs/test", body }),
        }),
    ],
    [
      "wrong issuer",
      () => signedRequest({ url, body, signature: signDelivery({ key: DEV_CURRENT_KEY, url, body, iss: "upstash" }) }),
    ],
    ["garbage token", () => signedRequest({ url, body, signature: "not.a.jwt" })],
  ];

  test.each(cases)("%s", async (_name, make) => {
    const answer = await deliver(make());
    expect(answer.status).toBe(401);
    expect(answer.body.error).toMatch(/signature/i);
    expect(redis.requests).toEqual([]);
  });

  test("the Node route rejects a token made for the Edge route and vice versa", async () => {
    const edgeUrl = "https://app.test/api/edge/jobs/test";
    expect((await deliver(signedRequest({ url: edgeUrl, body }), "test", "nodejs")).status).toBe(401);
    expect((await deliver(signedRequest({ url, body }), "test", "edge")).status).toBe(401);
    expect(redis.requests).toEqual([]);
  });
});

describe("permanent problems: 489 non-retryable, no side effect", () => {
  test("unknown job", async () => {
    const unknownUrl = "https://app.test/api/jobs/no-such-job";
    const answer = await deliver(signedRequest({ url: unknownUrl, body }), "no-such-job");
    expect(answer.status).toBe(489);
    expect(answer.headers.get("upstash-nonretryable-error")).toBe("true");
    expect(answer.body.error).toContain('unknown job "no-such-job"');
    expect(redis.requests).toEqual([]);
  });

  test("prototype keys are not jobs", async () => {
    const protoUrl = "https://app.test/api/jobs/constructor";
    expect((await deliver(signedRequest({ url: protoUrl, body }), "constructor")).status).toBe(489);
  });

  test("malformed JSON", async () => {
    const answer = await deliver(signedRequest({ url, body: "{not json" }));
    expect(answer.status).toBe(489);
    expect(answer.headers.get("upstash-nonretryable-error")).toBe("true");
    expect(answer.body.error).toBe("body is not valid JSON");
    expect(redis.requests).toEqual([]);
  });

  test("payload the schema rejects names the field", async () => {
    const answer = await deliver(signedRequest({ url, body: JSON.stringify({ message: 42 }) }));
    expect(answer.status).toBe(489);
    // In words, not zod/mini's bare "Invalid input": the runtime loads zod's English messages itself.
    expect(answer.body.error).toBe("invalid payload: ✖ Invalid input: expected string, received number\n  → at message");
    expect(answer.body.issues).toEqual([{ path: ["message"], message: "Invalid input: expected string, received number" }]);
    expect(redis.requests).toEqual([]);
  });

  test("missing Upstash-Message-Id", async () => {
    const request = signedRequest({ url, body });
    request.headers.delete("upstash-message-id");
    expect((await deliver(request)).status).toBe(489);
  });
});

describe("key rotation", () => {
  test("a delivery signed with the next key passes verification and reaches Redis", async () => {
    const answer = await deliver(signedRequest({ url, body, key: DEV_NEXT_KEY }));
    // Past the signature: the claim hits Redis, which the recorder refuses, so the answer is a retryable 503.
    expect(answer.status).toBe(503);
    expect(answer.body.error).toBe("idempotency store unavailable");
    expect(redis.requests.length).toBeGreaterThan(0);
  });
});
