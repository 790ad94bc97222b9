import { describe, expect, test } from "vitest";
import { effectiveStatus, INVITE_TTL_MS } from "@/lib/invites/store";
import { acceptUrl, generateInviteToken, hashInviteToken, INVITE_TOKEN_BYTES, isWellFormedToken } from "@/lib/invites/token";
import { fromBase64Url } from "@/lib/crypto";

describe("invite tokens", () => {
  test("carry 256 random bits as unpadded base64url", () => {
    const token = generateInviteToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(fromBase64Url(token)).toHaveLength(INVITE_TOKEN_BYTES);
    expect(INVITE_TOKEN_BYTES * 8).toBe(256);
    expect(isWellFormedToken(token)).toBe(true);
  });

  test("do not repeat", () => {
    const tokens = new Set(Array.from({ length: 1000 }, generateInviteToken));
    expect(tokens.size).toBe(1000);
  });

  test("are stored as their SHA-256 in lower-case hex", async () => {
    // FIPS 180-2 test vector for "abc".
    expect(await hashInviteToken("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const token = generateInviteToken();
    const hash = await hashInviteToken(token);
    expect(hash).toMatch(/^[a-f0-9]{64}$/);
    expect(hash).not.toContain(token);
    expect(await hashInviteToken(token)).toBe(hash);
  });

  test("anything not shaped like a token is refused before any lookup", () => {
    for (const value of ["", "short", "x".repeat(44), `${"a".repeat(42)}=`, `${"a".repeat(42)}/`, "../../etc/passwd"]) {
      expect(isWellFormedToken(value)).toBe(false);
    }
  });

  test("the accept link is /invite/<token> on the app's URL", () => {
    expect(acceptUrl("https://app.test", "tok")).toBe("https://app.test/invite/tok");
  });
});

describe("effectiveStatus", () => {
  const createdAt = Date.UTC(2025, 0, 1);
  const expiresAt = createdAt + INVITE_TTL_MS;

  test("a pending invite expires exactly seven days after it was sent", () => {
    expect(INVITE_TTL_MS).toBe(7 * 24 * 60 * 60 * 1000);
    expect(effectiveStatus({ status: "PENDING", expiresAt }, expiresAt - 1)).toBe("PENDING");
    expect(effectiveStatus({ status: "PENDING", expiresAt }, expiresAt)).toBe("EXPIRED");
  });

  test("final states stay what they are", () => {
    for (const status of ["ACCEPTED", "CANCELLED", "EXPIRED"] as const) {
      expect(effectiveStatus({ status, expiresAt }, expiresAt + 1)).toBe(status);
      expect(effectiveStatus({ status, expiresAt }, createdAt)).toBe(status);
    }
  });
});
