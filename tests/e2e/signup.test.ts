import { describe, expect, test } from "vitest";
import { DEV_CURRENT_KEY, signDelivery } from "../helpers/qstash-signature";
import { waitForEmail } from "./support/mail";
import { artifactPath } from "./support/browser";
import { setupE2E } from "./support/e2e";

// The production build (next build + next start) on the local stack, driven by a real Chromium.

const e2e = setupE2E();

describe("signup in a real browser", () => {
  test("signing up shows the confirmation at once and the welcome email reaches the local inbox", async () => {
    const page = await e2e.browser.context.newPage();
    await page.goto(`${e2e.app.url}/signup`);
    await page.getByLabel("Name").fill("Ada Lovelace");
    await page.getByLabel("Email").fill("ada@example.com");
    await page.getByLabel("Password").fill("correct horse battery");
    const emailArrives = waitForEmail(e2e.stack, "ada@example.com");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByTestId("signup-done").waitFor();
    expect(await page.getByTestId("signup-done").textContent()).toContain("ada@example.com");

    const email = await emailArrives;
    expect(email.subject).toBe("Welcome, Ada Lovelace!");
    expect(email.from).toBe("Acme <noreply@acme.test>");
    expect(email.html).toContain(e2e.app.url);
    expect(email.idempotencyKey).toMatch(/^welcome-email\/usr_/);

    const inbox = await e2e.browser.context.newPage();
    await inbox.goto(`${e2e.stack.resend.url}/inbox/${email.id}`);
    await inbox.getByText("Welcome, Ada Lovelace!").first().waitFor();
    await inbox.screenshot({ path: artifactPath("signup-welcome-email.png"), fullPage: true });
  });

  test("signing up with a registered address looks the same, signs nobody in, and tells the owner by email", async () => {
    const page = await e2e.browser.context.newPage();
    await e2e.browser.context.clearCookies();
    await page.goto(`${e2e.app.url}/signup`);
    await page.getByLabel("Name").fill("Ada again");
    await page.getByLabel("Email").fill("ada@example.com");
    await page.getByLabel("Password").fill("another password");
    const before = e2e.stack.resend.emails().filter((email) => email.to.includes("ada@example.com")).length;
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByTestId("signup-done").waitFor();
    expect(await page.getByTestId("signup-done").textContent()).toContain("ada@example.com");
    expect((await e2e.browser.context.cookies()).filter((cookie) => cookie.name === "session")).toEqual([]);
    // Ada hasn't confirmed yet, so she gets a fresh confirmation link (not a second account).
    await new Promise<void>((resolve) => {
      const check = () => {
        if (e2e.stack.resend.emails().filter((email) => email.to.includes("ada@example.com")).length > before) {
          e2e.stack.resend.events.off("email", check);
          resolve();
        }
      };
      e2e.stack.resend.events.on("email", check);
      check();
    });
    expect(
      e2e.stack.resend
        .emails()
        .filter((email) => email.to.includes("ada@example.com"))
        .at(-1)!.subject,
    ).toBe("Confirm your email address");
  });
});

describe("job routes in the production build", () => {
  const body = JSON.stringify({ message: "from e2e" });

  test.each([
    ["Node.js", "/api/jobs/test"],
    ["Edge", "/api/edge/jobs/test"],
  ])("the %s route runs a signed delivery and refuses a forged one", async (_runtime, path) => {
    const url = `${e2e.app.url}${path}`;
    const post = (signature: string, messageId: string) =>
      fetch(url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "upstash-signature": signature,
          "upstash-message-id": messageId,
          "upstash-retried": "0",
        },
        body,
      });
    const ok = await post(signDelivery({ key: DEV_CURRENT_KEY, url, body }), `msg_e2e_${path.length}`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ ok: true, job: "test", result: { echoed: "from e2e" } });

    const forged = await post(signDelivery({ key: "sig_forged", url, body }), `msg_forged_${path.length}`);
    expect(forged.status).toBe(401);
  });

  test("a job published through the local QStash reaches the built app", async () => {
    const response = await fetch(`${e2e.stack.qstash.url}/v2/publish/${e2e.app.url}/api/jobs/test`, {
      method: "POST",
      headers: { authorization: `Bearer ${e2e.stack.env.QSTASH_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ message: "via qstash" }),
    });
    const { messageId } = (await response.json()) as { messageId: string };
    await e2e.stack.qstash.idle();
    const logs = await fetch(`${e2e.stack.qstash.url}/v2/events?messageId=${messageId}`, {
      headers: { authorization: `Bearer ${e2e.stack.env.QSTASH_TOKEN}` },
    }).then((r) => r.json() as Promise<{ events: Array<{ state: string }> }>);
    expect(logs.events.map((event) => event.state)).toContain("DELIVERED");
  });
});
