/**
 * How `npm run dev` starts: secrets for the local stack, the interface, and
 * the cron calls Vercel makes in production.
 *
 * Secrets for `npm run dev` on the local stack: random per checkout, made once
 * and kept in the git-ignored `.local/` folder, so nothing anyone could know
 * from the repository opens /admin, signs a payment webhook or runs a cron
 * route. Printed at start.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface DevSecrets {
  adminToken: string;
  paymentsWebhookSecret: string;
  cronSecret: string;
}

export const DEV_SECRETS_FILE = "dev-secrets.json";

const fresh = (): string => randomBytes(24).toString("base64url");

export function loadOrCreateDevSecrets(dir = ".local"): DevSecrets {
  const file = join(dir, DEV_SECRETS_FILE);
  const stored: Partial<Record<keyof DevSecrets, unknown>> = existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : {};
  const usable = (value: unknown): value is string => typeof value === "string" && value.length >= 16;
  // A secret added since the file was written is made now; the ones already there (a bookmarked admin token) stay.
  const secrets: DevSecrets = {
    adminToken: usable(stored.adminToken) ? stored.adminToken : fresh(),
    paymentsWebhookSecret: usable(stored.paymentsWebhookSecret) ? stored.paymentsWebhookSecret : fresh(),
    cronSecret: usable(stored.cronSecret) ? stored.cronSecret : fresh(),
  };
  if ((Object.keys(secrets) as Array<keyof DevSecrets>).every((name) => stored[name] === secrets[name])) return secrets;
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return secrets;
}

/** True when `next dev`'s arguments choose the interface themselves. */
export function namesHostname(args: readonly string[]): boolean {
  return args.some((arg) => arg === "-H" || arg === "--hostname" || arg.startsWith("--hostname="));
}

/** `next dev` listens on loopback only, unless the command line names another interface. */
export function nextDevArgs(nextBin: string, port: number, extra: readonly string[]): string[] {
  return [nextBin, "dev", "--port", String(port), ...(namesHostname(extra) ? [] : ["--hostname", "127.0.0.1"]), ...extra];
}

/** Vercel Cron's schedule for the outbox sweep (vercel.json: every minute). */
export const DEV_CRON_INTERVAL_MS = 60_000;

export interface DevCronOptions {
  /** The cron route, e.g. http://127.0.0.1:3000/api/cron/outbox-sweep. */
  url: string;
  secret: string;
  intervalMs?: number;
  /** One line per call worth telling: a sweep that published, or a refusal. */
  log?: (line: string) => void;
  /** Injected in tests, which move time themselves. */
  timers?: { setInterval: typeof setInterval; clearInterval: typeof clearInterval };
}

export interface DevCron {
  /** Calls the route now, as a tick does; resolves with what it answered (null when unreachable or still busy). */
  tick(): Promise<{ status: number; body: unknown } | null>;
  stop(): void;
}

/**
 * Calls the cron route the way Vercel Cron does in production (a GET with
 * `Authorization: Bearer $CRON_SECRET`), every minute while the dev server
 * runs, so what a QStash outage left in the outbox goes out locally too.
 * A tick still running when the next is due is not doubled.
 */
export function startDevCron(options: DevCronOptions): DevCron {
  const timers = options.timers ?? { setInterval, clearInterval };
  const log = options.log ?? ((line: string) => console.log(line));
  let running: Promise<{ status: number; body: unknown } | null> | undefined;
  const call = async () => {
    try {
      const response = await fetch(options.url, { headers: { authorization: `Bearer ${options.secret}` } });
      const text = await response.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {}
      const published = (body as { published?: unknown } | null)?.published;
      if (response.status !== 200) log(`cron ${options.url} answered ${response.status}: ${text.slice(0, 200)}`);
      else if (typeof published === "number" && published > 0) log(`cron outbox sweep published ${published}`);
      return { status: response.status, body };
    } catch {
      // The dev server is still starting (or stopping): the next tick tries again.
      return null;
    }
  };
  const tick = () => {
    if (running) return Promise.resolve(null);
    running = call().finally(() => {
      running = undefined;
    });
    return running;
  };
  const handle = timers.setInterval(() => void tick(), options.intervalMs ?? DEV_CRON_INTERVAL_MS);
  handle.unref?.();
  return { tick, stop: () => timers.clearInterval(handle) };
}
