import { createHash, createHmac, randomUUID } from "node:crypto";
import { describe, expect, test } from "vitest";
import { getRun } from "@/lib/job-runtime";
import { DEV_CURRENT_KEY, signDelivery } from "../../helpers/qstash-signature";
import { setupStackAndApp } from "../../helpers/stack-and-app";
import { expectNoSideEffects } from "./support";

// Forged deliveries to the signed job routes and the failure callback. These
// held before; they stay here so a change that breaks one fails loudly. Every
// refusal must leave Redis, the outbox of emails and QStash untouched.

const running = setupStackAndApp();

const b64url = (value: string) => Buffer.from(value).toString("base64url");
const jobUrl = (name = "test") => `${running.app.url}/api/jobs/${name}`;
const body = JSON.stringify({ message: "hello" });

function post(
  url: string,
  options: { body?: string; signature?: string | string[] | null; headers?: Record<string, string> } = {},
) {
  const headers = new Headers({
    "content-type": "application/json",
    "upstash-message-id": `msg_${randomUUID()}`,
    "upstash-retried": "0",
    ...options.headers,
  });
  const signatures =
    options.signature === undefined
      ? [signDelivery({ key: DEV_CURRENT_KEY, url, body: options.body ?? body })]
      : options.signature;
  for (const signature of Array.isArray(signatures) ? signatures : signatures === null ? [] : [signatures])
    headers.append("upstash-signature", signature);
  return fetch(url, { method: "POST", headers, body: options.body ?? body }).then(async (response) => ({
    status: response.status,
    text: await response.text(),
  }));
}

/** A JWT with chosen header and claims, signed with `key` (or unsigned). */
function token(claims: Record<string, unknown>, options: { alg?: string; key?: string | null } = {}) {
  const header = b64url(JSON.stringify({ alg: options.alg ?? "HS256", typ: "JWT" }));
  const payload = b64url(JSON.stringify(claims));
  if (options.key === null) return `${header}.${payload}.`;
  const signature = createHmac("sha256", options.key ?? DEV_CURRENT_KEY)
    .update(`${header}.${payload}`)
    .digest("base64url");
  return `${header}.${payload}.${signature}`;
}

function claims(url: string, overrides: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: "Upstash",
    sub: url,
    iat: now,
    nbf: now,
    exp: now + 300,
    jti: `jwt_${randomUUID()}`,
    body: createHashB64(body),
    ...overrides,
  };
}

function createHashB64(text: string): string {
  return createHash("sha256").update(text).digest("base64url");
}

async function refused(attempt: () => Promise<{ status: number; text: string }>, status = 401) {
  const answer = await expectNoSideEffects(running.stack, running.app.services.redis, attempt);
  expect(answer.status).toBe(status);
  // The answer never explains the check that failed, nor echoes what we expected (that is in the log line).
  if (status === 401) expect(JSON.parse(answer.text)).toEqual({ error: "invalid signature" });
  expect(answer.text).not.toContain(running.app.url);
  return answer;
}

describe("forged job deliveries are refused with 401 and change nothing", () => {
  test("no signature", () => refused(() => post(jobUrl(), { signature: null })));
  test("signed with a key that isn't ours", () =>
    refused(() => post(jobUrl(), { signature: signDelivery({ key: "sig_not_ours_00000000000", url: jobUrl(), body }) })));
  test("a body changed after signing", () =>
    refused(() =>
      post(jobUrl(), {
        signature: signDelivery({ key: DEV_CURRENT_KEY, url: jobUrl(), body }),
        body: JSON.stringify({ message: "HACKED" }),
      }),
    ));
  test("expired (signed 10 minutes ago with a 5-minute life)", () =>
    refused(() =>
      post(jobUrl(), {
        signature: signDelivery({ key: DEV_CURRENT_KEY, url: jobUrl(), body, iat: Math.floor(Date.now() / 1000) - 600 }),
      }),
    ));
  test("not valid yet (nbf in the future)", () =>
    refused(() =>
      post(jobUrl(), {
        signature: token(
          claims(jobUrl(), { nbf: Math.floor(Date.now() / 1000) + 600, exp: Math.floor(Date.now() / 1000) + 900 }),
        ),
      }),
    ));
  test("alg=none with no signature", () =>
    refused(() => post(jobUrl(), { signature: token(claims(jobUrl()), { alg: "none", key: null }) })));
  test("alg=HS512 (algorithm confusion)", () =>
    refused(() => post(jobUrl(), { signature: token(claims(jobUrl()), { alg: "HS512" }) })));
  test("minted for another job (wrong sub)", () =>
    refused(() => post(jobUrl(), { signature: signDelivery({ key: DEV_CURRENT_KEY, url: jobUrl("welcome-email"), body }) })));
  test("minted for another app on the same keys", () =>
    refused(() =>
      post(jobUrl(), {
        signature: signDelivery({ key: DEV_CURRENT_KEY, url: "https://other-running.app.example/api/jobs/test", body }),
      }),
    ));
  test("minted for the Edge route, posted to the Node.js route", () =>
    refused(() =>
      post(jobUrl(), { signature: signDelivery({ key: DEV_CURRENT_KEY, url: `${running.app.url}/api/edge/jobs/test`, body }) }),
    ));
  test("a wrong issuer", () => refused(() => post(jobUrl(), { signature: token(claims(jobUrl(), { iss: "Mallory" })) })));
  test("two Upstash-Signature headers (a valid one and junk)", () =>
    refused(() =>
      post(jobUrl(), { signature: [signDelivery({ key: DEV_CURRENT_KEY, url: jobUrl(), body }), "junk.junk.junk"] }),
    ));
  test("a truncated token", () =>
    refused(() => post(jobUrl(), { signature: signDelivery({ key: DEV_CURRENT_KEY, url: jobUrl(), body }).slice(0, -10) })));
  test("a token without a body claim", () =>
    refused(() => post(jobUrl(), { signature: token(claims(jobUrl(), { body: undefined })) })));
});

describe("signed but not acceptable", () => {
  test.each(["__proto__", "constructor", "toString", "no-such-job"])(
    "job name %j: non-retryable 489, no run, no email",
    async (name) => {
      const url = jobUrl(encodeURIComponent(name));
      const answer = await expectNoSideEffects(running.stack, running.app.services.redis, () => post(url));
      expect(answer.status).toBe(489);
    },
  );

  test("a signed payload with prototype-pollution keys runs as plain data and pollutes nothing", async () => {
    const polluting = '{"message":"hi","__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}';
    const answer = await post(jobUrl(), {
      body: polluting,
      signature: signDelivery({ key: DEV_CURRENT_KEY, url: jobUrl(), body: polluting }),
    });
    expect(answer.status).toBe(200);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test("a signed payload that fails the schema: 489 before Redis is touched", async () => {
    const bad = JSON.stringify({ message: 42 });
    const answer = await expectNoSideEffects(running.stack, running.app.services.redis, () =>
      post(jobUrl(), { body: bad, signature: signDelivery({ key: DEV_CURRENT_KEY, url: jobUrl(), body: bad }) }),
    );
    expect(answer.status).toBe(489);
  });
});

describe("failure callback forgeries", () => {
  const callbackUrl = () => `${running.app.url}/api/qstash/failure`;
  const callback = JSON.stringify({
    status: 500,
    sourceMessageId: "msg_forged",
    url: "https://running.app.example/api/jobs/test",
    dlqId: "dlq_forged",
    retried: 3,
    maxRetries: 3,
  });

  test("unsigned: 401, nothing marked dead, no admin email", () =>
    refused(() => post(callbackUrl(), { body: callback, signature: null })));
  test("signed for a job route, replayed at the callback", () =>
    refused(() =>
      post(callbackUrl(), { body: callback, signature: signDelivery({ key: DEV_CURRENT_KEY, url: jobUrl(), body: callback }) }),
    ));
  test("tampered after signing", () =>
    refused(() =>
      post(callbackUrl(), {
        body: callback.replace("msg_forged", "msg_other"),
        signature: signDelivery({ key: DEV_CURRENT_KEY, url: callbackUrl(), body: callback }),
      }),
    ));
});

describe("body limits on the routes QStash calls (attack 4)", () => {
  const limit = () => running.app.env.JOB_MAX_BODY_BYTES;

  test.each([
    ["a job route", () => jobUrl()],
    ["the failure callback", () => `${running.app.url}/api/qstash/failure`],
  ])("%s: a Content-Length over JOB_MAX_BODY_BYTES gets 413 before a byte is read", async (_name, url) => {
    const answer = await expectNoSideEffects(running.stack, running.app.services.redis, () =>
      post(url(), { body: "x".repeat(limit() + 1), signature: "unsigned" }),
    );
    expect(answer.status).toBe(413);
  });

  test("a signed body at the limit is still read and judged", async () => {
    const padded = JSON.stringify({ message: "x".repeat(limit() - 20) });
    const answer = await post(jobUrl(), {
      body: padded,
      signature: signDelivery({ key: DEV_CURRENT_KEY, url: jobUrl(), body: padded }),
    });
    expect(answer.status).not.toBe(413);
  });
});

describe("replayed deliveries (attack 5)", () => {
  test("a captured signed delivery replayed with a new Upstash-Message-Id answers as a duplicate and changes nothing", async () => {
    const signature = signDelivery({ key: DEV_CURRENT_KEY, url: jobUrl(), body });
    const first = await post(jobUrl(), { signature, headers: { "upstash-message-id": "msg_replay_original" } });
    expect(first.status).toBe(200);
    expect(JSON.parse(first.text)).toMatchObject({ ok: true, result: { echoed: "hello" } });
    const replay = await expectNoSideEffects(running.stack, running.app.services.redis, () =>
      post(jobUrl(), { signature, headers: { "upstash-message-id": "msg_replay_forged" } }),
    );
    expect(replay.status).toBe(200);
    expect(JSON.parse(replay.text)).toMatchObject({ ok: true, duplicate: true });
    expect(await getRun(running.app.services.redis, "msg_replay_forged")).toBeNull();
  });

  test("a forged Upstash-Retried is not written into the run record as attempts", async () => {
    const answer = await post(jobUrl(), { headers: { "upstash-message-id": "msg_forged_retried", "upstash-retried": "50" } });
    expect(answer.status).toBe(200);
    expect(await getRun(running.app.services.redis, "msg_forged_retried")).toMatchObject({ status: "succeeded", attempts: 1 });
  });
});
