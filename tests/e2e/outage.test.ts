import { describe, expect, test } from "vitest";
import { OUTBOX_SWEEP_GRACE_MS, type OutboxDepth } from "@/lib/job-runtime";
import type { QStashFaultState } from "@/local/qstash/faults";
import { E2E_ADMIN_TOKEN } from "./support/app";
import { artifactPath } from "./support/browser";
import { setupE2E } from "./support/e2e";
import { waitForEmail } from "./support/mail";

// A QStash outage seen by a person signing up in Chromium against the production
// build: the sign-up succeeds while QStash's publish API refuses connections, the
// welcome job waits in the outbox, and once QStash is back the sweep a real
// deployment runs (Vercel Cron calling /api/cron/outbox-sweep with CRON_SECRET)
// sends it, well within a minute.

const CRON_SECRET = "e2e-cron-secret-0123456789abcdef";
const e2e = setupE2E({ appEnv: { CRON_SECRET } });

/** The local QStash's fault switches, over its control API as an operator or a chaos run would set them. */
async function qstashFaults(method: "POST" | "DELETE", body?: unknown): Promise<QStashFaultState> {
  const response = await fetch(`${e2e.stack.qstash.url}/__stack/faults`, {
    method,
    headers: { "content-type": "application/json" },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as QStashFaultState;
}

async function outboxDepth(): Promise<OutboxDepth> {
  const response = await fetch(`${e2e.app.url}/api/admin/outbox`, { headers: { authorization: `Bearer ${E2E_ADMIN_TOKEN}` } });
  expect(response.status).toBe(200);
  return ((await response.json()) as { outbox: OutboxDepth }).outbox;
}

const cron = (authorization?: string) =>
  fetch(`${e2e.app.url}/api/cron/outbox-sweep`, authorization ? { headers: { authorization } } : {});

describe("sign-up during a QStash outage", () => {
  test("the sign-up succeeds, and the welcome email arrives within a minute of QStash coming back", async () => {
    const address = "grace-outage@example.com";
    const down = await qstashFaults("POST", { publishOutage: { mode: "refuse" } });
    expect(down.publishOutage).toMatchObject({ mode: "refuse" });

    const page = await e2e.browser.context.newPage();
    await page.goto(`${e2e.app.url}/signup`);
    await page.getByLabel("Name").fill("Grace Hopper");
    await page.getByLabel("Email").fill(address);
    await page.getByLabel("Password").fill("correct horse battery");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByTestId("signup-done").waitFor();
    expect(await page.getByTestId("signup-done").textContent()).toContain(address);
    await page.screenshot({ path: artifactPath("outage-signup-done.png"), fullPage: true });

    // QStash refused the publishes; the welcome email and the confirmation link wait in the outbox, nothing was sent.
    const waiting = await outboxDepth();
    const depthReadAt = e2e.stack.clock.now();
    expect(waiting.pending).toBe(2);
    expect(e2e.stack.resend.emails().filter((email) => email.to.includes(address))).toEqual([]);
    // While QStash is down the cron tick runs and keeps the entry (it may still be inside the grace period).
    expect(await (await cron(`Bearer ${CRON_SECRET}`)).json()).toMatchObject({ ran: true, published: 0 });

    const back = await qstashFaults("DELETE");
    const backAt = e2e.stack.clock.now();
    expect(back.publishOutage).toBeUndefined();
    expect(back.injected.publishRefused).toBeGreaterThan(0);
    const welcome = waitForEmail(e2e.stack, address, /^Welcome/);
    const confirmation = waitForEmail(e2e.stack, address, /^Confirm your email address$/);

    // A stranger calling the cron route changes nothing.
    expect((await cron()).status).toBe(401);
    expect((await cron("Bearer not-the-secret")).status).toBe(401);
    expect((await outboxDepth()).pending).toBe(2);

    // The next cron tick. The sweep leaves an entry to its producer for a 5 s grace period after
    // it was written; the app runs on real time, so wait on the stack clock until that is over for
    // both entries (the confirmation link is written after the welcome email, by a second script:
    // every entry was written before the depth was read).
    await new Promise<void>((resolve) => e2e.stack.clock.at(depthReadAt + OUTBOX_SWEEP_GRACE_MS, resolve));
    const swept = await cron(`Bearer ${CRON_SECRET}`);
    expect(swept.status).toBe(200);
    expect(await swept.json()).toEqual({ ran: true, published: 2, pending: 0, rounds: 1 });

    const email = await welcome;
    await confirmation;
    const arrivedAt = e2e.stack.clock.now();
    expect(email.subject).toBe("Welcome, Grace Hopper!");
    expect(arrivedAt - backAt).toBeLessThan(60_000);
    expect((await outboxDepth()).pending).toBe(0);
    // A later tick finds nothing left, and the person got exactly one welcome.
    expect(await (await cron(`Bearer ${CRON_SECRET}`)).json()).toEqual({ ran: true, published: 0, pending: 0, rounds: 1 });
    await e2e.stack.qstash.idle();
    expect(
      e2e.stack.resend.emails().filter((sent) => sent.to.includes(address) && sent.subject.startsWith("Welcome")),
    ).toHaveLength(1);
    expect(
      e2e.stack.resend.emails().filter((sent) => sent.to.includes(address) && sent.subject === "Confirm your email address"),
    ).toHaveLength(1);

    const inbox = await e2e.browser.context.newPage();
    await inbox.goto(`${e2e.stack.resend.url}/inbox/${email.id}`);
    await inbox.getByText("Welcome, Grace Hopper!").first().waitFor();
    await inbox.screenshot({ path: artifactPath("outage-welcome-email.png"), fullPage: true });
  });
});
