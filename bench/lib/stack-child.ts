/**
 * The local stack in a process of its own, as `npm run dev` runs it beside the
 * app, driven by bench/lib/stack-process.ts over IPC. Besides serving, it can
 * "blast": send pre-signed deliveries straight to the app with the dispatcher's
 * own HTTP client and parallelism, the baseline for what the app alone can take.
 * It can also profile itself (V8's CPU profiler, the same data `node --cpu-prof` writes).
 */
import { setMaxListeners } from "node:events";
import { Agent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import { Session } from "node:inspector/promises";
import { performance } from "node:perf_hooks";
import { sendAttempt } from "@/local/qstash/attempt";
import { GLOBAL_PARALLELISM } from "@/local/qstash/dispatcher";
import { signDelivery } from "@/local/qstash/signing";
import { DEV_CURRENT_SIGNING_KEY, startLocalStack } from "@/local/stack";
import { traceStack } from "./delivery-trace";
import type { ChildReply, ChildRequest } from "./stack-protocol";

const stack = await startLocalStack({
  ports: { qstash: 0, redis: 0, resend: 0 },
  dataDir: null,
  resendRateLimitPerSecond: 1_000_000,
});
const agents = {
  http: new Agent({ keepAlive: true, maxSockets: GLOBAL_PARALLELISM }),
  https: new HttpsAgent({ keepAlive: true }),
};
const abort = new AbortController();
setMaxListeners(GLOBAL_PARALLELISM + 10, abort.signal);
let session: Session | undefined;
let trace: ReturnType<typeof traceStack> | undefined;
const portOf = (url: string) => Number(new URL(url).port);

const reply = (message: ChildReply) => process.send!(message);

async function blast(url: string, bodies: string[]): Promise<{ ms: number; failures: number; reasons: string[] }> {
  // Signed before the clock starts: signing is QStash's work, and the subject pays it too.
  const requests = bodies.map((text, index) => {
    const body = Buffer.from(text);
    const headers = {
      "Content-Type": "application/json",
      "Upstash-Message-Id": `msg_blast_${Date.now()}_${index}`,
      "Upstash-Retried": "0",
      "Upstash-Signature": signDelivery({
        key: DEV_CURRENT_SIGNING_KEY,
        url,
        body,
        nowMs: Date.now(),
        jti: `jwt_blast_${index}_${Math.random()}`,
      }),
      "Content-Length": String(body.length),
    };
    return { url, method: "POST", headers, body, timeoutMs: 30_000, signal: abort.signal, agents };
  });
  let next = 0;
  let failures = 0;
  const reasons: string[] = [];
  const start = performance.now();
  await Promise.all(
    Array.from({ length: GLOBAL_PARALLELISM }, async () => {
      while (next < requests.length) {
        const result = await sendAttempt(requests[next++]!);
        if (result.status !== 200) {
          failures++;
          if (reasons.length < 3) reasons.push(`${result.status ?? ""} ${result.error ?? result.body.toString().slice(0, 200)}`);
        }
      }
    }),
  );
  return { ms: performance.now() - start, failures, reasons };
}

process.on("message", (request: ChildRequest) => {
  void (async () => {
    switch (request.type) {
      case "blast":
        return reply({ type: "blasted", ...(await blast(request.url, request.bodies)) });
      case "profile-start":
        session = new Session();
        session.connect();
        await session.post("Profiler.enable");
        await session.post("Profiler.setSamplingInterval", { interval: 500 });
        await session.post("Profiler.start");
        return reply({ type: "profiling" });
      case "profile-stop": {
        const { profile } = await session!.post("Profiler.stop");
        session!.disconnect();
        return reply({ type: "profile", profile });
      }
      case "idle":
        await stack.qstash.idle();
        return reply({ type: "idle" });
      case "cpu": {
        const { user, system } = process.cpuUsage();
        return reply({ type: "cpu", ms: (user + system) / 1_000 });
      }
      case "trace-start":
        trace = traceStack({ qstash: portOf(stack.qstash.url), redis: portOf(stack.redis.url) });
        return reply({ type: "tracing" });
      case "trace-stop":
        return reply({ type: "trace", stamps: trace!.stop() });
      case "stop":
        abort.abort();
        agents.http.destroy();
        await stack.close();
        process.exit(0);
    }
  })().catch((error: unknown) => {
    console.error("[bench stack]", error);
    process.exit(1);
  });
});

reply({ type: "ready", env: stack.env });
