import { expect, test } from "vitest";
import { confirmationLink, signUpConfirmAndSignIn } from "./support/accounts";
import { waitForEmail } from "./support/mail";
import { artifactPath } from "./support/browser";
import { setupE2E } from "./support/e2e";

// Owner invites, invitee signs up from the link and lands back on it, accepts once; the link is then spent.

// Two browsers: two people, two cookie jars.
const e2e = setupE2E({ browsers: [{}, {}] });
const owner = () => e2e.browsers[0]!;
const invitee = () => e2e.browsers[1]!;

test("an invited person signs up from the emailed link, accepts, and the link can't be used again", async () => {
  const page = await owner().context.newPage();
  await signUpConfirmAndSignIn(page, e2e.stack, e2e.app.url, {
    name: "Olga Owner",
    email: "olga@example.com",
    password: "owner-password-1",
  });

  await page.goto(`${e2e.app.url}/orgs`);
  await page.getByLabel("Name").fill("Steppe Analytics");
  await page.getByRole("button", { name: "Create organisation" }).click();
  await page.getByRole("heading", { name: "Steppe Analytics · Members" }).waitFor();
  const inviteEmail = waitForEmail(e2e.stack, "bat@example.com", /Steppe Analytics/);
  await page.getByLabel("Email address").fill("bat@example.com");
  await page.getByRole("button", { name: "Send invite" }).click();
  await page.getByRole("status").filter({ hasText: "Invite sent to bat@example.com" }).waitFor();

  const email = await inviteEmail;
  const acceptUrl = /href="([^"]*\/invite\/[^"]+)"/.exec(email.html ?? "")?.[1];
  expect(acceptUrl).toBeDefined();
  expect(acceptUrl!.startsWith(`${e2e.app.url}/invite/`)).toBe(true);

  const guest = await invitee().context.newPage();
  await guest.goto(acceptUrl!);
  await guest.locator("main").getByRole("link", { name: "Sign up" }).click();
  expect(await guest.getByLabel("Email").inputValue()).toBe("bat@example.com");
  await guest.getByLabel("Name").fill("Bat Invitee");
  await guest.getByLabel("Password").fill("invitee-password-1");
  const link = confirmationLink(e2e.stack, "bat@example.com");
  await guest.getByRole("button", { name: "Create account" }).click();
  await guest.getByTestId("signup-done").waitFor();
  // The emailed link proves the address; signing in then returns to the invite.
  await guest.goto(await link);
  await guest.getByRole("button", { name: "Confirm my address" }).click();
  await guest.getByLabel("Password").fill("invitee-password-1");
  await guest.getByRole("button", { name: "Sign in" }).click();
  const accept = guest.getByRole("button", { name: "Accept and join Steppe Analytics" });
  await accept.waitFor();
  await guest.screenshot({ path: artifactPath("invite-accept.png"), fullPage: true });
  await accept.click();
  await guest.getByText("You joined Steppe Analytics.").waitFor();

  await guest.goto(acceptUrl!);
  await guest.getByRole("heading", { name: "This invite has already been used" }).waitFor();
  await guest.screenshot({ path: artifactPath("invite-already-accepted.png"), fullPage: true });

  await page.reload();
  await page.getByRole("table", { name: "Members" }).getByText("bat@example.com").waitFor();
});
