/**
 * `npm run dev`: with QStash credentials configured, plain `next dev`. Without
 * them (a fresh clone), the bundled local stack first, then `next dev` pointed
 * at it, so the whole app works offline with no account anywhere. Either way,
 * with a CRON_SECRET it calls the outbox-sweep cron route every minute, as
 * Vercel Cron does in production.
 */
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { OUTBOX_SWEEP_CRON_PATH } from "../lib/cron/outbox-sweep";
import { rateLimitFromEnv } from "../local/resend/server";
import { DEV_RESEND_API_KEY, startLocalStack } from "../local/stack";
import { loadOrCreateDevSecrets, namesHostname, nextDevArgs, startDevCron } from "./lib/dev-server";
import { loadEnvFiles } from "./lib/env-files";

async function main() {
  const port = Number(process.env.PORT ?? 3000);
  const configured = loadEnvFiles();
  const nextBin = createRequire(import.meta.url).resolve("next/dist/bin/next");
  // Loopback only by default: the local stack signs with public dev keys, so anyone who can reach the
  // server could forge jobs. `npm run dev -- --hostname 0.0.0.0` opts in to the network.
  const nextArgs = nextDevArgs(nextBin, port, process.argv.slice(2));
  const loopbackOnly = !namesHostname(process.argv.slice(2));
  const appUrl = `http://${loopbackOnly ? "127.0.0.1" : "localhost"}:${port}`;
  const cronFor = (secret: string) => startDevCron({ url: `${appUrl}${OUTBOX_SWEEP_CRON_PATH}`, secret });

  if (configured.QSTASH_TOKEN) {
    console.log("QStash credentials found in the environment: starting next dev against them.\n");
    const cron = configured.CRON_SECRET ? cronFor(configured.CRON_SECRET) : undefined;
    run(nextArgs, process.env, async () => cron?.stop());
    return;
  }

  // One limit for both sides: the app paces its email jobs by it, the Resend look-alike enforces it.
  const resendRateLimitPerSecond = rateLimitFromEnv(configured.RESEND_RATE_LIMIT_PER_SECOND);
  // Redis: REDIS_URL if set, else a redis-server from PATH (unless LOCAL_REDIS=embedded), else the embedded engine.
  const stack = await startLocalStack({
    resendRateLimitPerSecond,
    useRedisServer: configured.LOCAL_REDIS !== "embedded",
    ...(configured.REDIS_URL && { redisUrl: configured.REDIS_URL }),
  });
  // Local-only secrets so /admin and the payments webhook work out of the box: random per checkout.
  const secrets = loadOrCreateDevSecrets();
  const env = {
    ...process.env,
    ...stack.env,
    RESEND_API_KEY: DEV_RESEND_API_KEY,
    RESEND_RATE_LIMIT_PER_SECOND: String(resendRateLimitPerSecond),
    APP_URL: appUrl,
    ADMIN_TOKEN: configured.ADMIN_TOKEN ?? secrets.adminToken,
    PAYMENTS_WEBHOOK_SECRET: configured.PAYMENTS_WEBHOOK_SECRET ?? secrets.paymentsWebhookSecret,
    CRON_SECRET: configured.CRON_SECRET ?? secrets.cronSecret,
    ADMIN_EMAIL: configured.ADMIN_EMAIL ?? "ops@acme.test",
    EMAIL_FROM: configured.EMAIL_FROM ?? "Acme <noreply@acme.test>",
  };
  console.log("No QStash credentials configured: running on the local stack.\n");
  console.log(`  App              ${appUrl}`);
  console.log(`  Inbox (Resend)   ${stack.resend.url}   (${resendRateLimitPerSecond} requests/s)`);
  console.log(`  Stack dashboard  ${stack.qstash.url}`);
  console.log(`  Redis REST       ${stack.redis.url}   (${stack.redisBackend})`);
  console.log(`  Admin            ${appUrl}/admin   (token: ${env.ADMIN_TOKEN}, kept in .local/)`);
  console.log(`  Cron             ${appUrl}${OUTBOX_SWEEP_CRON_PATH} every minute, as Vercel Cron calls it\n`);
  const cron = cronFor(env.CRON_SECRET);
  run(nextArgs, env, async () => {
    cron.stop();
    await stack.close();
  });
}

function run(args: string[], env: NodeJS.ProcessEnv, cleanup: () => Promise<void>) {
  const child = spawn(process.execPath, args, { env, stdio: "inherit" });
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    child.kill(signal);
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
  child.on("exit", (code, signal) => {
    void cleanup().finally(() => process.exit(code ?? (signal ? 0 : 1)));
  });
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  if (/EADDRINUSE/.test(message)) {
    console.error(`${message}\nA port of the local stack is taken: is another \`npm run dev\` or \`npm run stack\` running?`);
  } else {
    console.error(message);
  }
  process.exit(1);
});
