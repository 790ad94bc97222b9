import { describe, expect, test } from "vitest";
import { InvalidSignatureError, createVerifier } from "@/lib/job-runtime";
import { DEV_CURRENT_SIGNING_KEY, DEV_NEXT_SIGNING_KEY } from "@/local/qstash/credentials";
import { signDelivery } from "@/local/qstash/signing";

// The spec's published test vector (signed with the dev current key at 2026-01-01T00:00:00Z).
const token =
  "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9" +
  ".eyJpc3MiOiJVcHN0YXNoIiwic3ViIjoiaHR0cDovL2xvY2FsaG9zdDozMDAwL2FwaS9xc3Rhc2giLCJleHAiOjE3NjcyMjU5MDAsIm5iZiI6MTc2NzIyNTYwMCwiaWF0IjoxNzY3MjI1NjAwLCJqdGkiOiJqd3RfdGVzdF8wMDAxIiwiYm9keSI6Ims2STVjYWtVNWVyTDhLalNVVlROb3duRHdjY3Z1NWtVMUh4Zzg4dG9GWWc9In0" +
  ".LTHs4WRJdGorbK6B8LNuV7vFnL-hT8rLpTCeJikO-PM";
const body = '{"hello":"world"}';
const url = "http://localhost:3000/api/qstash";
const keys = { currentSigningKey: "sig_wrong_current", nextSigningKey: "sig_7kYjw48mhY7kAjqNGcy6cr29RJ6r" };
// The vector's exp lies in the past; a tolerance wide enough to cover "now" accepts it.
const tolerance = Math.ceil(Date.now() / 1000 - 1767225600) + 3600;

describe("createVerifier against the spec's test vector", () => {
  test("accepts the vector through the next-key fallback and hands back its token id and expiry", async () => {
    const verified = await createVerifier(keys, { clockToleranceSeconds: tolerance })({
      signature: token,
      body,
      expectedUrl: url,
    });
    const claims = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()) as { jti: string; exp: number };
    expect(verified).toEqual({ jti: claims.jti, exp: claims.exp });
  });

  test.each([
    ["without clock tolerance (expired)", {}, body, url],
    ["a trailing space in the body", { clockToleranceSeconds: tolerance }, `${body} `, url],
    ["another URL", { clockToleranceSeconds: tolerance }, body, "http://other/"],
  ])("rejects %s", async (_name, options, candidateBody, candidateUrl) => {
    await expect(
      createVerifier(keys, options)({ signature: token, body: candidateBody, expectedUrl: candidateUrl }),
    ).rejects.toBeInstanceOf(InvalidSignatureError);
  });
});

describe("the claims handed back after a good signature", () => {
  const devKeys = { currentSigningKey: DEV_CURRENT_SIGNING_KEY, nextSigningKey: DEV_NEXT_SIGNING_KEY };
  const sign = (jti: string, target = url) =>
    signDelivery({ key: DEV_CURRENT_SIGNING_KEY, url: target, body: new TextEncoder().encode(body), nowMs: Date.now(), jti });

  test("decode UTF-8 exactly, whatever the token's length", async () => {
    const target = "http://localhost:3000/api/jobs/café";
    for (const jti of ["jwt_é_ünïcode_✓", "j", "jwt_".padEnd(301, "x")]) {
      const verified = await createVerifier(devKeys)({ signature: sign(jti, target), body, expectedUrl: target });
      expect(verified.jti).toBe(jti);
      expect(verified.exp).toBeGreaterThan(Date.now() / 1000);
    }
  });

  test("a well-signed token without a token id is refused", async () => {
    await expect(createVerifier(devKeys)({ signature: sign(""), body, expectedUrl: url })).rejects.toThrow(
      "token has no jti or exp",
    );
  });
});
