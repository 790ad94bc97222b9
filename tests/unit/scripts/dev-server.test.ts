import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { DEV_SECRETS_FILE, loadOrCreateDevSecrets, nextDevArgs } from "@/scripts/lib/dev-server";

// `npm run dev` on a shared network (attack 8): loopback by default, and no secret from the repository.

describe("next dev's interface", () => {
  test("binds 127.0.0.1 unless told otherwise", () => {
    expect(nextDevArgs("next", 3000, [])).toEqual(["next", "dev", "--port", "3000", "--hostname", "127.0.0.1"]);
  });

  test.each([["--hostname", "0.0.0.0"], ["-H", "0.0.0.0"], ["--hostname=::"]])("keeps an explicit %s", (...args) => {
    const built = nextDevArgs("next", 3000, args);
    expect(built.filter((arg) => arg === "127.0.0.1")).toEqual([]);
    expect(built.slice(-args.length)).toEqual(args);
  });
});

describe("local admin token and webhook secret", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const fresh = () => {
    const dir = join(mkdtempSync(join(tmpdir(), "dev-secrets-")), ".local");
    dirs.push(join(dir, ".."));
    return dir;
  };

  test("are random per checkout, made once, kept private, and reused", () => {
    const one = fresh();
    const first = loadOrCreateDevSecrets(one);
    expect(first.adminToken).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(first.paymentsWebhookSecret).not.toBe(first.adminToken);
    expect(statSync(join(one, DEV_SECRETS_FILE)).mode & 0o777).toBe(0o600);
    expect(loadOrCreateDevSecrets(one)).toEqual(first);
    expect(loadOrCreateDevSecrets(fresh()).adminToken).not.toBe(first.adminToken);
  });

  test("include a CRON_SECRET of their own, long enough for the app's schema", () => {
    const secrets = loadOrCreateDevSecrets(fresh());
    expect(secrets.cronSecret).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(new Set(Object.values(secrets)).size).toBe(3);
  });

  test("a file from before the cron secret keeps its admin token and gains a cron secret", () => {
    const dir = fresh();
    mkdirSync(dir, { recursive: true });
    const old = { adminToken: "kept-admin-token-0123456789", paymentsWebhookSecret: "kept-webhook-secret-0123456789" };
    writeFileSync(join(dir, DEV_SECRETS_FILE), JSON.stringify(old));
    const secrets = loadOrCreateDevSecrets(dir);
    expect(secrets).toMatchObject(old);
    expect(secrets.cronSecret.length).toBeGreaterThanOrEqual(16);
    expect(loadOrCreateDevSecrets(dir)).toEqual(secrets);
  });

  test("the committed token of old is gone from the dev script", () => {
    const script = readFileSync(new URL("../../../scripts/dev.ts", import.meta.url), "utf8");
    expect(script).not.toMatch(/local-admin-token|local-payments-webhook-secret/);
  });
});
