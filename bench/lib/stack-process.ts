import { fork, type ChildProcess } from "node:child_process";
import type { Stamp } from "./delivery-trace";
import type { ChildReply, ChildRequest, CpuProfile } from "./stack-protocol";

const CHILD = new URL("./stack-child.ts", import.meta.url);
/** A stack that doesn't answer within this has hung; the bench must fail, not wait forever. */
const REPLY_TIMEOUT_MS = 120_000;

export interface StackProcess {
  env: Record<string, string>;
  /** Sends pre-signed deliveries of these bodies to `url`, at the dispatcher's parallelism; ms for all of them. */
  blast(url: string, bodies: string[]): Promise<number>;
  profileStart(): Promise<void>;
  profileStop(): Promise<CpuProfile>;
  idle(): Promise<void>;
  /** CPU time the stack process has used so far (all its threads, user + system), ms. */
  cpuMs(): Promise<number>;
  /** Stamps the stack's side of each hop (bench/lib/delivery-trace.ts) until `traceStop`. */
  traceStart(): Promise<void>;
  traceStop(): Promise<Stamp[]>;
  stop(): Promise<void>;
}

/** The local stack (QStash, Redis REST on the embedded engine, Resend) in its own Node.js process. */
export async function startStackProcess(): Promise<StackProcess> {
  const child = fork(CHILD, [], { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const ask = <T extends ChildReply["type"]>(request: ChildRequest | null, expect: T) =>
    waitFor(child, expect, () => request && child.send(request)) as Promise<Extract<ChildReply, { type: T }>>;
  const ready = await ask(null, "ready");
  return {
    env: ready.env,
    async blast(url, bodies) {
      const result = await ask({ type: "blast", url, bodies }, "blasted");
      if (result.failures > 0)
        throw new Error(`${result.failures} of ${bodies.length} direct deliveries failed: ${result.reasons.join("; ")}`);
      return result.ms;
    },
    profileStart: async () => void (await ask({ type: "profile-start" }, "profiling")),
    profileStop: async () => (await ask({ type: "profile-stop" }, "profile")).profile,
    idle: async () => void (await ask({ type: "idle" }, "idle")),
    cpuMs: async () => (await ask({ type: "cpu" }, "cpu")).ms,
    traceStart: async () => void (await ask({ type: "trace-start" }, "tracing")),
    traceStop: async () => (await ask({ type: "trace-stop" }, "trace")).stamps,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.send({ type: "stop" } satisfies ChildRequest);
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

function waitFor(child: ChildProcess, type: ChildReply["type"], send: () => void): Promise<ChildReply> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => finish(new Error(`stack process: no "${type}" within ${REPLY_TIMEOUT_MS} ms`)),
      REPLY_TIMEOUT_MS,
    );
    const onMessage = (message: ChildReply) => {
      if (message.type === type) finish(null, message);
    };
    const onExit = (code: number | null) => finish(new Error(`stack process exited (${code}) while waiting for "${type}"`));
    const finish = (error: Error | null, message?: ChildReply) => {
      clearTimeout(timer);
      child.off("message", onMessage);
      child.off("exit", onExit);
      if (error) reject(error);
      else resolve(message!);
    };
    child.on("message", onMessage);
    child.once("exit", onExit);
    send();
  });
}
