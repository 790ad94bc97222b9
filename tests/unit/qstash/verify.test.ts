import { describe, expect, test } from "vitest";
import { InvalidSignatureError, createVerifier } from "@/lib/job-runtime";

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
