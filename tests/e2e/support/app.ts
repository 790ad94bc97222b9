import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { createRequire } from "node:module";
import type { TestStack } from "../../../harness/stack";

export interface RunningApp {
  url: string;
  /** Everything the server printed, for failure messages. */
  output(): string;
  close(): Promise<void>;
}

export const E2E_ADMIN_TOKEN = "e2e-admin-token-0123456789";
const E2E_PAYMENTS_SECRET = "e2e-payments-webhook-secret";

/** `next start` on a free loopback port, configured for the given local stack. */
export async function startNextApp(stack: TestStack, env: Record<string, string> = {}): Promise<RunningApp> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const nextBin = createRequire(import.meta.url).resolve("next/dist/bin/next");
  const child = spawn(process.execPath, [nextBin, "start", "--hostname", "127.0.0.1", "--port", String(port)], {
    env: {
      ...process.env,
      ...stack.env,
      APP_URL: url,
      ADMIN_TOKEN: E2E_ADMIN_TOKEN,
      ADMIN_EMAIL: "ops@acme.test",
      PAYMENTS_WEBHOOK_SECRET: E2E_PAYMENTS_SECRET,
      EMAIL_FROM: "Acme <noreply@acme.test>",
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  child.stdout!.on("data", (chunk) => (log += chunk));
  child.stderr!.on("data", (chunk) => (log += chunk));
  await waitForReady(child, () => log);
  return {
    url,
    output: () => log,
    close: () => stop(child),
  };
}

/** Resolves when next start prints that it is ready; rejects if it exits first. */
function waitForReady(child: ChildProcess, output: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onData = () => {
      if (/Ready in|started server on|Local:\s+http/.test(output())) {
        cleanup();
        resolve();
      }
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`next start exited (${code}) before it was ready:\n${output()}`));
    };
    const cleanup = () => {
      child.stdout!.off("data", onData);
      child.stderr!.off("data", onData);
      child.off("exit", onExit);
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.on("exit", onExit);
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
