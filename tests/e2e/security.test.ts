import { beforeAll, describe, expect, test } from "vitest";
import type { Page } from "playwright-core";
import { E2E_ADMIN_TOKEN } from "./support/app";
import { confirmationLink } from "./support/accounts";
import { waitForEmail } from "./support/mail";
import { setupE2E } from "./support/e2e";

// Attacks shown in a real browser against `next build && next start`: the open
// redirect after sign-in and sign-up (attack 1), every form posted with
// JavaScript off (attack 3), and the security headers with Next's own inline
// scripts still running under the CSP (attack 10).

/** Every form must answer a no-JavaScript post within this; the invite form used to never answer. */
const ANSWER_WITHIN_MS = 10_000;

const e2e = setupE2E({ browsers: [{}, { javaScriptEnabled: false }] });
const withJs = () => e2e.browsers[0]!;
const noJs = () => e2e.browsers[1]!;

/** Submits by clicking `button` and waits for the answer page (a plain form post and its redirect). */
async function submit(page: Page, button: string): Promise<void> {
  await Promise.all([
    page.waitForNavigation({ timeout: ANSWER_WITHIN_MS, waitUntil: "domcontentloaded" }),
    page.getByRole("button", { name: button }).first().click({ timeout: ANSWER_WITHIN_MS }),
  ]);
}

async function signUp(page: Page, user: { name: string; email: string; password: string }, next?: string): Promise<void> {
  await page.goto(`${e2e.app.url}/signup${next ? `?next=${encodeURIComponent(next)}` : ""}`);
  await page.getByLabel("Name").fill(user.name);
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await submit(page, "Create account");
}

describe("open redirect (attack 1)", () => {
  const evilRequests: string[] = [];
  beforeAll(() => {
    withJs().context.on("request", (request) => {
      if (new URL(request.url()).hostname.endsWith("evil.example")) evilRequests.push(request.url());
    });
  });

  test.each(["/..//evil.example/x", "/%2F%2Fevil.example/x", "//evil.example/x", "/\\evil.example/x", "https://evil.example/x"])(
    "signing in with next=%s stays on the app",
    async (next) => {
      const email = `redirect-${evilRequests.length}-${Math.random().toString(36).slice(2)}@example.com`;
      const page = await withJs().context.newPage();
      // Sign-up doesn't sign in (nor need a confirmed address to sign in later).
      await signUp(page, { name: "Redirect Tester", email, password: "redirect-pass-1" });
      await page.goto(`${e2e.app.url}/signin?next=${encodeURIComponent(next)}`);
      await page.getByLabel("Email").fill(email);
      await page.getByLabel("Password").fill("redirect-pass-1");
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL((url) => url.pathname === "/account" || url.hostname !== "127.0.0.1", { timeout: ANSWER_WITHIN_MS });
      expect(new URL(page.url()).origin).toBe(e2e.app.url);
      expect(new URL(page.url()).pathname).toBe("/account");
      expect(evilRequests).toEqual([]);
      await page.close();
    },
  );

  test("sign-up's way back (to an invite, say) can't be pointed at another site", async () => {
    const page = await withJs().context.newPage();
    await page.context().clearCookies();
    await signUp(
      page,
      { name: "Signup Redirect", email: `signup-redirect-${Date.now()}@example.com`, password: "redirect-pass-1" },
      "/..//evil.example/x",
    );
    await page.waitForLoadState("domcontentloaded");
    expect(new URL(page.url()).origin).toBe(e2e.app.url);
    expect(evilRequests).toEqual([]);
    await page.close();
  });
});

describe("every form without JavaScript (attack 3)", () => {
  const owner = { name: "Nora NoScript", email: "nora@example.com", password: "noscript-pass-1" };
  let page: Page;

  beforeAll(async () => {
    page = await noJs().context.newPage();
  });

  test("sign-up, the emailed confirmation and the first sign-in", async () => {
    const link = confirmationLink(e2e.stack, owner.email);
    await signUp(page, owner);
    expect(new URL(page.url()).pathname).toBe("/signup/done");
    await page.goto(await link);
    await submit(page, "Confirm my address");
    await page.getByText("Your email address is confirmed").waitFor({ timeout: ANSWER_WITHIN_MS });
    await page.getByLabel("Password").fill(owner.password);
    await submit(page, "Sign in");
    expect(new URL(page.url()).pathname).toBe("/account");
  });

  test("the banner's resend form, on an account not confirmed yet", async () => {
    const other = await noJs().context.newPage();
    await signUp(other, { name: "Late Confirmer", email: "late@example.com", password: "late-password-1" });
    await other.goto(`${e2e.app.url}/signin?email=late@example.com`);
    await other.getByLabel("Password").fill("late-password-1");
    await submit(other, "Sign in");
    await other.getByTestId("verify-banner").waitFor({ timeout: ANSWER_WITHIN_MS });
    await submit(other, "Send a new link");
    await other.getByText("A new confirmation link is on its way").waitFor({ timeout: ANSWER_WITHIN_MS });
    await submit(other, "Sign out");
    await other.close();
    // The banner's session was this context's: sign the owner back in for the next steps.
    await page.goto(`${e2e.app.url}/signin`);
    await page.getByLabel("Email").fill(owner.email);
    await page.getByLabel("Password").fill(owner.password);
    await submit(page, "Sign in");
  });

  test("sign-out and sign-in, with a wrong password first", async () => {
    await page.goto(`${e2e.app.url}/account`);
    await submit(page, "Sign out");
    expect(new URL(page.url()).pathname).toBe("/signin");
    await page.getByLabel("Email").fill(owner.email);
    await page.getByLabel("Password").fill("wrong-password");
    await submit(page, "Sign in");
    await page.getByText("That email and password don't match an account.").waitFor({ timeout: ANSWER_WITHIN_MS });
    await page.getByLabel("Password").fill(owner.password);
    await submit(page, "Sign in");
    expect(new URL(page.url()).pathname).toBe("/account");
  });

  test("create an organisation, then invite (the form that pinned the server), resend and cancel", async () => {
    await page.goto(`${e2e.app.url}/orgs`);
    await page.getByLabel("Name").fill("Quiet Org");
    await submit(page, "Create organisation");
    await page.getByRole("heading", { name: "Quiet Org · Members" }).waitFor({ timeout: ANSWER_WITHIN_MS });

    await page.getByLabel("Email address").fill("guest@example.com");
    await submit(page, "Send invite");
    await page.getByText("Invite sent to guest@example.com").waitFor({ timeout: ANSWER_WITHIN_MS });
    await waitForEmail(e2e.stack, "guest@example.com", /Quiet Org/);

    await page.reload();
    await submit(page, "Resend");
    await page.getByText("A new link was sent").waitFor({ timeout: ANSWER_WITHIN_MS });
    await submit(page, "Cancel");
    await page.getByText("The invite was cancelled").waitFor({ timeout: ANSWER_WITHIN_MS });
  });

  test("events, reports and notifications", async () => {
    await page.goto(`${e2e.app.url}/events`);
    await page.getByLabel("Title").fill("Stand-up");
    await submit(page, "Add event");
    await page.getByText("Stand-up").first().waitFor({ timeout: ANSWER_WITHIN_MS });

    await page.goto(`${e2e.app.url}/reports`);
    await submit(page, "Generate report");
    expect(new URL(page.url()).pathname).toMatch(/^\/reports/);

    await page.goto(`${e2e.app.url}/notifications`);
    await submit(page, "Send me a test notification");
    expect(new URL(page.url()).pathname).toBe("/notifications");
  });

  test("accepting an invite", async () => {
    const inviteOwner = await noJs().context.newPage();
    await inviteOwner.goto(`${e2e.app.url}/orgs`);
    await inviteOwner.getByLabel("Name").fill("Second Quiet Org");
    await submit(inviteOwner, "Create organisation");
    const invited = waitForEmail(e2e.stack, "nora-guest@example.com", /Second Quiet Org/);
    await inviteOwner.getByLabel("Email address").fill("nora-guest@example.com");
    await submit(inviteOwner, "Send invite");
    const acceptUrl = /href="([^"]*\/invite\/[^"]+)"/.exec((await invited).html ?? "")?.[1];
    expect(acceptUrl).toBeDefined();

    await inviteOwner.goto(`${e2e.app.url}/account`);
    await submit(inviteOwner, "Sign out");
    const link = confirmationLink(e2e.stack, "nora-guest@example.com");
    await signUp(
      inviteOwner,
      { name: "Nora Guest", email: "nora-guest@example.com", password: "noscript-pass-2" },
      new URL(acceptUrl!).pathname,
    );
    await inviteOwner.goto(await link);
    await submit(inviteOwner, "Confirm my address");
    await inviteOwner.getByLabel("Password").fill("noscript-pass-2");
    await submit(inviteOwner, "Sign in");
    await submit(inviteOwner, "Accept and join Second Quiet Org");
    expect(new URL(inviteOwner.url()).pathname).toBe("/account");
    await inviteOwner.close();
  });

  test("admin sign-in and sign-out; the copied cookie is dead afterwards", async () => {
    await page.goto(`${e2e.app.url}/admin`);
    await page.getByLabel("Admin token").fill("not-the-token-000000");
    await submit(page, "Sign in");
    await page.getByText("That token is not right.").waitFor({ timeout: ANSWER_WITHIN_MS });
    await page.getByLabel("Admin token").fill(E2E_ADMIN_TOKEN);
    await submit(page, "Sign in");
    await page.getByRole("heading", { name: "Operations" }).waitFor({ timeout: ANSWER_WITHIN_MS });

    const copied = (await page.context().cookies()).find((cookie) => cookie.name === "admin_session");
    expect(copied).toBeDefined();
    const withCopied = () => fetch(`${e2e.app.url}/api/admin/runs`, { headers: { cookie: `admin_session=${copied!.value}` } });
    expect((await withCopied()).status).toBe(200);
    await submit(page, "Sign out");
    expect((await withCopied()).status).toBe(401);
  });
});

describe("security headers (attack 10)", () => {
  test("every page carries the CSP, nosniff and referrer policy, and can't be framed", async () => {
    for (const path of ["/", "/signin", "/signup", "/admin"]) {
      const response = await fetch(`${e2e.app.url}${path}`, { redirect: "manual" });
      const csp = response.headers.get("content-security-policy") ?? "";
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp, path).toContain("object-src 'none'");
      expect(response.headers.get("x-content-type-options"), path).toBe("nosniff");
      expect(response.headers.get("referrer-policy"), path).toBe("strict-origin-when-cross-origin");
    }
  });

  test("Next's inline scripts still run under the CSP: the page hydrates and no violation is reported", async () => {
    const page = await withJs().context.newPage();
    const violations: string[] = [];
    page.on("console", (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
    });
    await page.goto(`${e2e.app.url}/signin`);
    // A client-side answer without a page load proves React hydrated: the form shows its pending label.
    await page.getByLabel("Email").fill("nobody-csp@example.com");
    await page.getByLabel("Password").fill("whatever-password");
    let navigated = false;
    page.on("framenavigated", () => (navigated = true));
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByText("That email and password don't match an account.").waitFor({ timeout: ANSWER_WITHIN_MS });
    expect(navigated).toBe(false);
    expect(violations).toEqual([]);
    await page.close();
  });

  test("a page on another site can't frame the app", async () => {
    const page = await withJs().context.newPage();
    // setContent resolves on the load event, which waits for the iframe's own load (or refusal).
    await page.setContent(`<iframe id="f" src="${e2e.app.url}/signin"></iframe>`);
    const frame = page.frames().find((candidate) => candidate.url().startsWith(e2e.app.url));
    const framedHasForm = frame
      ? await frame
          .locator("form")
          .count()
          .catch(() => 0)
      : 0;
    expect(framedHasForm).toBe(0);
    await page.close();
  });
});
