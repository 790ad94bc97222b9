import { describe, expect, test } from "vitest";
import { resolveNext } from "@/lib/auth/redirect";

const APP = "https://app.example";
const resolve = (next: unknown, within?: string) => resolveNext(next, APP, { fallback: "/account", ...(within && { within }) });

describe("resolveNext", () => {
  test.each([
    ["/invite/abc?x=1", "/invite/abc?x=1"],
    ["/orgs/o1/members#invites", "/orgs/o1/members#invites"],
    // Dot segments that stay inside the app are normalised, not refused.
    ["/a/../invite/abc", "/invite/abc"],
    ["/account/./emails", "/account/emails"],
  ])("keeps the same-origin path %j as %j", (next, expected) => {
    expect(resolve(next)).toBe(expected);
  });

  test.each([
    undefined,
    null,
    42,
    "",
    "account",
    "https://evil.example",
    "https://app.example/account",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "/..//evil.example/x",
    "/../..//evil.example/x",
    "/./..//evil.example",
    "/%2F%2Fevil.example",
    "/%2f/evil.example",
    "/%5c%5cevil.example",
    "/\t/evil.example",
    "/a\nb",
    "javascript:alert(1)",
    `/${"a".repeat(1001)}`,
  ])("sends %j to the fallback", (next) => {
    expect(resolve(next)).toBe("/account");
  });

  test("within keeps a target to one part of the app, by whole segments", () => {
    expect(resolve("/admin?dlq=x", "/admin")).toBe("/admin?dlq=x");
    expect(resolve("/admin/jobs", "/admin")).toBe("/admin/jobs");
    expect(resolve("/administrator", "/admin")).toBe("/account");
    expect(resolve("/admin/..//evil.example", "/admin")).toBe("/account");
    expect(resolve("/admin/../account", "/admin")).toBe("/account");
  });

  test("a browser following the result stays on the app's origin", () => {
    for (const next of ["/..//evil.example/x", "/foo/..//evil.example", "/invite/t"]) {
      expect(new URL(resolve(next), APP).origin).toBe(APP);
    }
  });
});
