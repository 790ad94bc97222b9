/**
 * How `npm run dev` starts: secrets for the local stack, and the interface.
 *
 * Secrets for `npm run dev` on the local stack: random per checkout, made once
 * and kept in the git-ignored `.local/` folder, so nothing anyone could know
 * from the repository opens /admin or signs a payment webhook. Printed at start.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface DevSecrets {
  adminToken: string;
  paymentsWebhookSecret: string;
}

export const DEV_SECRETS_FILE = "dev-secrets.json";

const fresh = (): string => randomBytes(24).toString("base64url");

export function loadOrCreateDevSecrets(dir = ".local"): DevSecrets {
  const file = join(dir, DEV_SECRETS_FILE);
  if (existsSync(file)) {
    const stored = JSON.parse(readFileSync(file, "utf8")) as Partial<DevSecrets>;
    if (
      typeof stored.adminToken === "string" &&
      stored.adminToken.length >= 16 &&
      typeof stored.paymentsWebhookSecret === "string" &&
      stored.paymentsWebhookSecret.length >= 16
    ) {
      return { adminToken: stored.adminToken, paymentsWebhookSecret: stored.paymentsWebhookSecret };
    }
  }
  const secrets: DevSecrets = { adminToken: fresh(), paymentsWebhookSecret: fresh() };
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
