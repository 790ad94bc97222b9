import { spawn, type ChildProcess } from "node:child_process";
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";

/**
 * Starts a `redis-server` child process on a free loopback port: for the parity
 * tests a throwaway one (no persistence, a scratch directory removed on `stop()`),
 * for `npm run dev`/`npm run stack` one whose append-only file lives in a folder
 * that survives restarts.
 */

export interface RedisServerProcess {
  /** `redis://127.0.0.1:<port>` */
  url: string;
  port: number;
  stop(): Promise<void>;
}

export interface StartRedisServerOptions {
  /** Path to the binary. @default the first `redis-server` on PATH */
  binary?: string;
  /** Give up if the server has not logged readiness by then. @default 10000 */
  readyTimeoutMs?: number;
  /** Keep the data in this folder (append-only file, kept after stop). @default a scratch folder, no persistence */
  dataDir?: string;
}

/** The `redis-server` binary on PATH, or null. */
export function findRedisServerBinary(pathVariable = process.env.PATH ?? ""): string | null {
  for (const dir of pathVariable.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, "redis-server");
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return null;
}

/**
 * Why the real-Redis suite cannot run here, or null when it can. On CI
 * (`CI=true`) a missing binary is a failure, not a skip, so parity is never
 * silently untested.
 */
export function redisServerUnavailableReason(): string | null {
  if (findRedisServerBinary()) return null;
  return "redis-server is not on PATH (install it with `apt-get install -y redis-server`)";
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

const READY = "Ready to accept connections";
const MAX_ATTEMPTS = 3;

export async function startRedisServer(options: StartRedisServerOptions = {}): Promise<RedisServerProcess> {
  const binary = options.binary ?? findRedisServerBinary();
  if (!binary) throw new Error(redisServerUnavailableReason() ?? "redis-server not found");
  let lastError: unknown;
  // Another process can grab the probed port before redis binds it; try again.
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    try {
      return await startOnce(binary, await freePort(), options.readyTimeoutMs ?? 10_000, options.dataDir);
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

async function startOnce(
  binary: string,
  port: number,
  readyTimeoutMs: number,
  dataDir: string | undefined,
): Promise<RedisServerProcess> {
  const dir = dataDir ? resolve(dataDir) : mkdtempSync(join(tmpdir(), "redis-parity-"));
  if (dataDir) mkdirSync(dir, { recursive: true });
  // A kept folder gets an append-only file fsynced every second; a scratch one nothing.
  const persistence = dataDir
    ? ["--appendonly", "yes", "--appendfsync", "everysec", "--save", ""]
    : ["--save", "", "--appendonly", "no"];
  const args = [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--protected-mode",
    "yes",
    ...persistence,
    "--dir",
    dir,
    "--daemonize",
    "no",
  ];
  const child = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
  const cleanup = () => {
    if (!dataDir) rmSync(dir, { recursive: true, force: true });
  };

  try {
    await waitForReady(child, readyTimeoutMs);
  } catch (error) {
    child.kill("SIGKILL");
    cleanup();
    throw error;
  }

  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
        await exited;
        clearTimeout(timer);
      }
      cleanup();
    },
  };
}

function waitForReady(child: ChildProcess, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = "";
    const onData = (chunk: Buffer) => {
      output += chunk.toString("utf8");
      if (output.includes(READY)) finish();
    };
    const onExit = (code: number | null) => finish(new Error(`redis-server exited (${code}) before it was ready:\n${output}`));
    const timer = setTimeout(() => finish(new Error(`redis-server not ready after ${timeoutMs} ms:\n${output}`)), timeoutMs);
    function finish(error?: Error) {
      clearTimeout(timer);
      child.stdout?.off("data", onData);
      child.stderr?.off("data", onData);
      child.off("exit", onExit);
      // Keep draining so a chatty server never blocks on a full pipe.
      child.stdout?.resume();
      child.stderr?.resume();
      if (error) reject(error);
      else resolve();
    }
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", onExit);
  });
}
