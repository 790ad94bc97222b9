/**
 * The producers of a chaos run, each driven the way its real caller drives it:
 * - sign-ups post the app's own sign-up form without JavaScript, and a person
 *   whose sign-up is refused tries again a little later;
 * - payment webhooks are signed like the provider's and re-sent on anything but
 *   a 2xx, as providers do;
 * - bulk jobs go through `enqueueMany`, each with a deduplication id so the
 *   caller can safely re-send a batch that failed.
 * Every loop is bounded by its attempt count.
 */
import { Client } from "@upstash/qstash";
import { createJobQueue } from "@/lib/job-runtime";
import { testJob } from "@/lib/jobs/test";
import { PAYMENT_SIGNATURE_HEADER, signPaymentWebhook } from "@/lib/payments/signature";

export const CHAOS_PAYMENTS_SECRET = "whsec_chaos_0123456789abcdef";
const ATTEMPTS = 60;
const RETRY_WAIT_MS = 500;
/** A request not answered by then counts as refused (and is tried again), as a browser or provider gives up on it. */
const REQUEST_TIMEOUT_MS = 60_000;

export interface LoadTally {
  /** Addresses whose sign-up the app confirmed. */
  signedUp: string[];
  signupsRefused: number;
  /** Addresses the app signed in (each right after its sign-up), each owed a sign-in notice. */
  signedIn: string[];
  signInsRefused: number;
  /** Webhook event ids the app acknowledged with a 2xx. */
  webhooksAccepted: string[];
  webhooksRetried: number;
  /** Bulk job messages (`test` job message text) QStash accepted, and which of them were meant to fail. */
  bulkPublished: string[];
  bulkFailing: string[];
  bulkBatchesRetried: number;
  gaveUp: string[];
  /** Producers stop retrying at this time (epoch ms), so the run keeps its bound. */
  deadline: number;
}

export function emptyTally(deadline: number): LoadTally {
  return {
    signedUp: [],
    signupsRefused: 0,
    signedIn: [],
    signInsRefused: 0,
    webhooksAccepted: [],
    webhooksRetried: 0,
    bulkPublished: [],
    bulkFailing: [],
    bulkBatchesRetried: 0,
    gaveUp: [],
    deadline,
  };
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const formPages = new Map<string, Promise<string>>();

/** Submits a page's form the way a browser without JavaScript does: its hidden fields plus ours, as multipart. */
async function submitForm(
  pageUrl: string,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Response> {
  // Like a person who keeps the page open: fetched once, submitted many times.
  let page = formPages.get(pageUrl);
  if (!page) {
    page = fetch(pageUrl, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) }).then((response) =>
      response.ok ? response.text() : Promise.reject(new Error(`GET ${pageUrl}: ${response.status}`)),
    );
    formPages.set(pageUrl, page);
    // A page that failed to load is fetched again next time.
    page.catch(() => formPages.delete(pageUrl));
  }
  const html = await page;
  const form = /<form[^>]*>([\s\S]*?)<\/form>/.exec(html)?.[1];
  if (!form) throw new Error(`no form on ${pageUrl}`);
  const body = new FormData();
  for (const input of form.matchAll(/<input[^>]*type="hidden"[^>]*>/g)) {
    const name = /name="([^"]*)"/.exec(input[0])?.[1];
    const value = /value="([^"]*)"/.exec(input[0])?.[1] ?? "";
    if (name && !(name in fields)) body.append(name, decodeEntities(value));
  }
  for (const [name, value] of Object.entries(fields)) body.append(name, value);
  // Browsers send Origin with a form post; Next checks it for server actions.
  return fetch(pageUrl, {
    method: "POST",
    body,
    redirect: "manual",
    headers: { ...headers, origin: new URL(pageUrl).origin },
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
}

function decodeEntities(text: string): string {
  return text
    .replaceAll("&quot;", '"')
    .replaceAll("&#x27;", "'")
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&amp;", "&");
}

/** Resolves with the address once the app confirmed the sign-up, null if it gave up. */
export async function signUp(appUrl: () => string, index: number, tally: LoadTally, runId: string): Promise<string | null> {
  const email = `chaos-${runId}-${index}@example.com`;
  for (let attempt = 0; attempt < ATTEMPTS && Date.now() < tally.deadline; attempt++) {
    try {
      const response = await submitForm(`${appUrl()}/signup`, {
        name: `User ${index}`,
        email,
        password: "correct horse battery",
        locale: "en",
        timeZone: "UTC",
      });
      const location = response.headers.get("location") ?? "";
      if (response.status === 303 && location.includes("/signup/done")) {
        tally.signedUp.push(email);
        return email;
      }
      const text = await response.text();
      // A retry after a sign-up that did go through (its answer lost to a crash) finds the address taken: that is a success.
      if (text.includes("already exists")) {
        tally.signedUp.push(email);
        return email;
      }
    } catch {
      // The app is down (killed) or the connection dropped: like a person, try again shortly.
    }
    tally.signupsRefused += 1;
    await wait(RETRY_WAIT_MS);
  }
  tally.gaveUp.push(`signup ${email}`);
  return null;
}

/**
 * The new user signs in with the `/signin` form (no JavaScript), tried again like a
 * person would when refused. A sign-in whose answer was lost (app killed) and is tried
 * again is a second sign-in with its own notice: only "at least one" is owed.
 */
export async function signIn(appUrl: () => string, index: number, email: string, tally: LoadTally): Promise<void> {
  // Each person from their own address, as the platform's proxy reports it: from one IP, the
  // sign-in limit (30 per 15 minutes) rightly refuses the rest of 150 accounts.
  const clientIp = { "x-forwarded-for": `10.0.${Math.floor(index / 250)}.${(index % 250) + 1}` };
  for (let attempt = 0; attempt < ATTEMPTS && Date.now() < tally.deadline; attempt++) {
    try {
      const response = await submitForm(`${appUrl()}/signin`, { email, password: "correct horse battery" }, clientIp);
      if (response.status === 303 && (response.headers.get("location") ?? "").includes("/account")) {
        tally.signedIn.push(email);
        return;
      }
      await response.text();
    } catch {
      // Down or dropped: try again shortly.
    }
    tally.signInsRefused += 1;
    await wait(RETRY_WAIT_MS);
  }
  tally.gaveUp.push(`signin ${email}`);
}

export async function sendWebhook(appUrl: () => string, index: number, tally: LoadTally, runId: string): Promise<void> {
  const id = `evt_chaos_${runId}_${index}`;
  const event = {
    id,
    type: "purchase.completed",
    created: Math.floor(Date.now() / 1000),
    data: {
      purchaseId: `ord_${runId}_${index}`,
      userId: `usr_chaos_${index}`,
      email: `buyer-${runId}-${index}@example.com`,
      name: `Buyer ${index}`,
      amountCents: 1_000 + index,
      currency: "usd",
      items: [{ description: "Pro plan", quantity: 1, amountCents: 1_000 + index }],
    },
  };
  const body = JSON.stringify(event);
  for (let attempt = 0; attempt < ATTEMPTS && Date.now() < tally.deadline; attempt++) {
    try {
      const signature = await signPaymentWebhook(body, CHAOS_PAYMENTS_SECRET, Math.floor(Date.now() / 1000));
      const response = await fetch(`${appUrl()}/api/webhooks/payments`, {
        method: "POST",
        headers: { "content-type": "application/json", [PAYMENT_SIGNATURE_HEADER]: signature },
        body,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      if (response.ok) {
        tally.webhooksAccepted.push(id);
        return;
      }
    } catch {
      // Down or dropped: the provider re-sends.
    }
    tally.webhooksRetried += 1;
    await wait(RETRY_WAIT_MS);
  }
  tally.gaveUp.push(`webhook ${id}`);
}

/** One batch of bulk jobs through `enqueueMany`, re-sent whole on failure; deduplication ids keep that safe. */
export async function publishBatch(
  qstash: { url: string; token: string },
  appUrl: string,
  indexes: number[],
  failing: (index: number) => boolean,
  tally: LoadTally,
  runId: string,
): Promise<void> {
  const queue = createJobQueue({
    client: new Client({ baseUrl: qstash.url, token: qstash.token, retry: false, enableTelemetry: false }),
    appUrl,
  });
  const items = indexes.map((index) => ({
    job: testJob,
    payload: { message: `bulk-${runId}-${index}`, ...(failing(index) && { failWith: "non-retryable" as const }) },
    options: { deduplicationId: `bulk-${runId}-${index}` },
  }));
  for (let attempt = 0; attempt < ATTEMPTS && Date.now() < tally.deadline; attempt++) {
    try {
      await queue.enqueueMany(items);
      for (const item of items) {
        tally.bulkPublished.push(item.payload.message);
        if (item.payload.failWith) tally.bulkFailing.push(item.payload.message);
      }
      return;
    } catch {
      tally.bulkBatchesRetried += 1;
      await wait(RETRY_WAIT_MS);
    }
  }
  tally.gaveUp.push(`batch of ${items.length} from bulk-${indexes[0]}`);
}
