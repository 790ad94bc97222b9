import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer, type AddressInfo } from "node:net";
import { join } from "node:path";

const NEXT_BIN = createRequire(import.meta.url).resolve("next/dist/bin/next");
/** A start that hasn't answered by then has failed. */
const START_TIMEOUT_MS = 60_000;

/** `next build` in `dir`; throws with its output when it fails. */
export function nextBuild(dir: string): void {
  const result = spawnSync(process.execPath, [NEXT_BIN, "build"], {
    cwd: dir,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`next build in ${dir} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
}

/** A free loopback port (next start takes a number, not 0). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  await new Promise((done) => server.close(done));
  return port;
}

export interface StartedNext {
  url: string;
  stop(): Promise<void>;
}

/** A fresh `next start` on loopback; resolves once it prints that it is ready (no request has reached it yet). */
export async function nextStart(dir: string, env: Record<string, string>, port: number): Promise<StartedNext> {
  const child: ChildProcess = spawn(process.execPath, [NEXT_BIN, "start", "--port", String(port), "--hostname", "127.0.0.1"], {
    cwd: dir,
    env: { ...process.env, ...env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  await new Promise<void>((ready, fail) => {
    const timer = setTimeout(
      () => fail(new Error(`next start in ${dir} not ready after ${START_TIMEOUT_MS} ms:\n${output}`)),
      START_TIMEOUT_MS,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (/Ready in|✓ Ready/.test(output)) {
        clearTimeout(timer);
        ready();
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code) => {
      clearTimeout(timer);
      fail(new Error(`next start in ${dir} exited (${code}):\n${output}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((done) => child.once("exit", done));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The compiled files (`.next/server/**`) a route needs before it can answer: its entry, the Turbopack runtime and the chunks the entry loads up front (`R.c(...)`). */
export function routeEntryFiles(dir: string, route: string): string[] {
  const server = join(dir, ".next", "server");
  const entry = join(server, "app", route, "route.js");
  if (!existsSync(entry)) throw new Error(`no build of ${route} in ${dir}`);
  return entryFiles(entry, server);
}

/** An entry file of a build, the Turbopack runtime and the chunks the entry loads up front; none when it is absent. */
export function entryFiles(entry: string, server: string): string[] {
  if (!existsSync(entry)) return [];
  const initial = [...readFileSync(entry, "utf8").matchAll(/R\.c\("server\/(chunks\/[^"]+)"\)/g)].map((match) =>
    join(server, match[1]!),
  );
  return [entry, join(server, "chunks", "[turbopack]_runtime.js"), ...initial];
}

/** Total size of the given files, each counted once. */
export function totalBytes(files: Iterable<string>): number {
  return [...new Set(files)].filter(existsSync).reduce((sum, file) => sum + statSync(file).size, 0);
}
