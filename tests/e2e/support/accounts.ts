import type { Page } from "playwright-core";
import type { TestStack } from "../../../harness/stack";
import { waitForEmail } from "./mail";

export interface NewAccount {
  name: string;
  email: string;
  password: string;
  locale?: "en" | "mn";
}

/** The confirmation link in the latest "Confirm your email address" email to `to`. */
export async function confirmationLink(stack: TestStack, to: string): Promise<string> {
  const email = await waitForEmail(stack, to, /Confirm your email address/);
  const link = /href="([^"]*\/verify-email\/[^"]+)"/.exec(email.html ?? "")?.[1];
  if (!link) throw new Error(`no confirmation link in the email to ${to}`);
  return link.replaceAll("&amp;", "&");
}

/**
 * Sign up, open the emailed link, confirm, and sign in with the password: the
 * path every new person takes. Ends on the page sign-in sends them to.
 */
export async function signUpConfirmAndSignIn(
  page: Page,
  stack: TestStack,
  appUrl: string,
  account: NewAccount,
  next?: string,
): Promise<void> {
  await page.goto(`${appUrl}/signup${next ? `?next=${encodeURIComponent(next)}` : ""}`);
  await page.getByLabel("Name").fill(account.name);
  await page.getByLabel("Email").fill(account.email);
  await page.getByLabel("Password").fill(account.password);
  if (account.locale) await page.getByLabel("Language").selectOption(account.locale);
  const link = confirmationLink(stack, account.email);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.getByTestId("signup-done").waitFor();
  await page.goto(await link);
  await page.getByRole("button", { name: "Confirm my address" }).click();
  await page.getByText("Your email address is confirmed. Sign in to continue.").waitFor();
  if (!(await page.getByLabel("Email").inputValue())) await page.getByLabel("Email").fill(account.email);
  await page.getByLabel("Password").fill(account.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => url.pathname !== "/signin");
}
