/**
 * `next start` of the existing build as a child process that can be killed
 * with SIGKILL (no shutdown code runs: a crash) and started again on its port.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { createServer } from "node:net";

export interface ChaosApp {
  url: string;
  /** SIGKILL, then wait for the process to be gone. */
  kill(): Promise<void>;
  /** Starts it again on the same port and waits until it answers. */
  start(): Promise<void>;
  stop(): Promise<void>;
  output(): string;
}

export async function startApp(env: Record<string, string>, cwd = process.cwd()): Promise<ChaosApp> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const nextBin = createRequire(`${cwd}/package.json`).resolve("next/dist/bin/next");
  let child: ChildProcess | undefined;
  let log = "";
  const start = async () => {
    const spawned = spawn(process.execPath, [nextBin, "start", "--hostname", "127.0.0.1", "--port", String(port)], {
      cwd,
      env: { ...process.env, ...env, APP_URL: url, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child = spawned;
    // If this process dies first, the app must not outlive it.
    const reap = () => spawned.kill("SIGKILL");
    process.once("exit", reap);
    spawned.once("exit", () => process.off("exit", reap));
    const append = (chunk: Buffer) => {
      // Keep the tail only: a long run logs a lot.
      log = (log + chunk.toString()).slice(-200_000);
    };
    spawned.stdout!.on("data", append);
    spawned.stderr!.on("data", append);
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        if (/Ready in|started server on|Local:\s+http/.test(chunk.toString())) done(resolve);
      };
      const onExit = (code: number | null) =>
        done(() => reject(new Error(`next start exited (${code}) before it was ready:\n${log.slice(-4_000)}`)));
      const done = (then: () => void) => {
        spawned.stdout!.off("data", onData);
        spawned.stderr!.off("data", onData);
        spawned.off("exit", onExit);
        then();
      };
      spawned.stdout!.on("data", onData);
      spawned.stderr!.on("data", onData);
      spawned.on("exit", onExit);
    });
  };
  const signal = async (name: NodeJS.Signals) => {
    const current = child;
    if (!current || current.exitCode !== null || current.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      current.once("exit", () => resolve());
      current.kill(name);
    });
  };
  await start();
  return { url, start, kill: () => signal("SIGKILL"), stop: () => signal("SIGTERM"), output: () => log };
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
