/**
 * The faults of a chaos run, each waiting for its milestone of the run's own
 * progress, then on until it has failed enough requests (or its time cap).
 * Fault kinds run side by side, so windows overlap wherever the traffic puts
 * them; the windows of one kind follow each other. Every wait ends on an event,
 * a cap or `stop()`.
 */
import type { ChaosApp } from "./app";
import type { ChaosProfile, FaultWindow, Milestone } from "./profile";
import type { ChaosStack } from "./stack";

/** A window still without a failure at `maxMs` stays on, up to this many times `maxMs`. */
const HARD_CAP_FACTOR = 5;

export interface FaultPlan {
  /** Resolves once every fault has had its turn. */
  settled: Promise<void>;
  /** Gives up on faults still waiting, ends open windows, waits for a restart in progress. */
  stop(): Promise<void>;
  /** Fault counts only the plan knows (windows opened, kills). */
  counts(): Record<string, number>;
  /** Requests each window failed, by window, in the order they opened. */
  windows(): Array<{ window: string; failed: number }>;
}

/** Fault kinds (keys of the run's `injected`) this profile must have injected at least once. */
export function configuredFaults(profile: ChaosProfile): string[] {
  return [
    ...(profile.duplicateRate > 0 ? ["duplicateDeliveries"] : []),
    ...(profile.resendErrorRate > 0 ? ["resendErrors", "resendRateLimited"] : []),
    "resendOutages",
    "resendDown",
    "resendSlow",
    "handlersTimedOut",
    ...(profile.redisOutages.length > 0 ? ["redisOutages", "redisRequestsFailed"] : []),
    ...(profile.appKills.length > 0 ? ["appKills"] : []),
    ...(profile.qstashRestarts.length > 0 ? ["qstashRestarts"] : []),
    "publishOutages",
    "publishesRefused",
  ];
}

export function startFaultPlan(profile: ChaosProfile, stack: ChaosStack, app: ChaosApp, log: (line: string) => void): FaultPlan {
  const abort = new AbortController();
  const { signal } = abort;
  const started = Date.now();
  const counts = { appKills: 0, resendOutages: 0, slowResendWindows: 0 };
  const windows: Array<{ window: string; failed: number }> = [];
  const closed = async (name: string, window: FaultWindow, key: string) => {
    const failed = await windowClosed(stack, window, () => stack.injected()[key] ?? 0, signal);
    windows.push({ window: name, failed });
  };
  const note = (what: string) => {
    const { published, deliveries, answered, emails } = stack.progress;
    log(
      `${what} at ${Date.now() - started} ms (published ${published}, attempts ${deliveries}, answered ${answered}, emails ${emails})`,
    );
  };
  stack.signals.setMaxListeners(50);

  // Resend: errors all along, unless its outage or slow window is on.
  const resendMode = { outage: false, latencyMs: 0, errorStatus: 500 };
  const applyResend = () => {
    if (resendMode.outage) stack.resend.faults.set({ status: 503 });
    else if (resendMode.latencyMs > 0) stack.resend.faults.set({ latencyMs: resendMode.latencyMs });
    else if (profile.resendErrorRate > 0 && !signal.aborted)
      stack.resend.faults.set({ errorRate: profile.resendErrorRate, status: resendMode.errorStatus });
    else stack.resend.faults.clear();
  };
  // Each injected error flips the next one's status, so both a 500 and a 429 happen with only two.
  const flip = (event: { kind: string; status?: number }) => {
    if (event.kind !== "status" || resendMode.outage || (event.status !== 500 && event.status !== 429)) return;
    resendMode.errorStatus = event.status === 500 ? 429 : 500;
    applyResend();
  };
  stack.resend.events.on("fault", flip);
  applyResend();

  const tasks: Array<Promise<void>> = [
    (async () => {
      if (!(await reached(stack, profile.resendOutage.at, signal))) return;
      resendMode.outage = true;
      counts.resendOutages += 1;
      applyResend();
      note("Resend down");
      await closed("Resend down", profile.resendOutage, "resendDown");
      resendMode.outage = false;
      applyResend();
      note("Resend back");
    })(),
    (async () => {
      if (!(await reached(stack, profile.slowResend.at, signal))) return;
      resendMode.latencyMs = profile.slowResend.latencyMs;
      counts.slowResendWindows += 1;
      applyResend();
      note(`Resend slow (${profile.slowResend.latencyMs} ms)`);
      await closed("Resend slow", profile.slowResend, "resendSlow");
      resendMode.latencyMs = 0;
      applyResend();
      note("Resend fast again");
    })(),
    (async () => {
      for (const outage of profile.redisOutages) {
        if (!(await reached(stack, outage.at, signal))) return;
        // The duration is only a backstop: the window closes below.
        stack.redis.faults.set({ outage: { mode: outage.mode, durationMs: outage.maxMs * HARD_CAP_FACTOR } });
        note(`Redis outage (${outage.mode})`);
        await closed(`Redis outage (${outage.mode})`, outage, "redisRequestsFailed");
        stack.redis.faults.clear();
        note("Redis back");
      }
    })(),
    (async () => {
      const outage = profile.publishOutage;
      if (!(await reached(stack, outage.at, signal))) return;
      stack.qstash().faults.set({ publishOutage: { mode: outage.mode, durationMs: outage.maxMs * HARD_CAP_FACTOR } });
      note(`QStash publish API down (${outage.mode})`);
      await closed(`QStash publish API down (${outage.mode})`, outage, "publishesRefused");
      stack.qstash().faults.stopPublishOutage();
      note("QStash publish API back");
    })(),
    (async () => {
      for (const milestone of profile.appKills) {
        if (!(await reached(stack, milestone, signal))) return;
        await app.kill();
        counts.appKills += 1;
        note("app killed (SIGKILL)");
        await app.start();
        note("app back");
      }
    })(),
    (async () => {
      for (const milestone of profile.qstashRestarts) {
        if (!(await reached(stack, milestone, signal))) return;
        await stack.restartQStash();
        note("QStash restarted");
      }
    })(),
  ];
  const settled = Promise.all(tasks).then(() => undefined);
  return {
    settled,
    async stop() {
      abort.abort();
      await settled;
      stack.resend.events.off("fault", flip);
      stack.resend.faults.clear();
      stack.redis.faults.clear();
      stack.qstash().faults.stopPublishOutage();
    },
    counts: () => ({ ...counts }),
    windows: () => [...windows],
  };
}

/** Resolves true once the stack's progress reaches `milestone`, false if `signal` aborts first. */
function reached(stack: ChaosStack, milestone: Milestone, signal: AbortSignal): Promise<boolean> {
  const [key, count] = Object.entries(milestone)[0] as [keyof ChaosStack["progress"], number];
  return new Promise((resolve) => {
    const done = (value: boolean) => {
      stack.signals.off("progress", check);
      signal.removeEventListener("abort", aborted);
      resolve(value);
    };
    const check = () => {
      if (stack.progress[key] >= count) done(true);
    };
    const aborted = () => done(false);
    if (signal.aborted) return resolve(false);
    stack.signals.on("progress", check);
    signal.addEventListener("abort", aborted);
    check();
  });
}

/**
 * Resolves with the requests the window failed, once that reaches `window.failures`,
 * or past its cap as described on FaultWindow, or on abort.
 */
function windowClosed(stack: ChaosStack, window: FaultWindow, count: () => number, signal: AbortSignal): Promise<number> {
  const base = count();
  return new Promise((resolve) => {
    let pastCap = false;
    const timers: NodeJS.Timeout[] = [];
    const done = () => {
      for (const timer of timers) clearTimeout(timer);
      stack.signals.off("progress", check);
      signal.removeEventListener("abort", done);
      resolve(count() - base);
    };
    const check = () => {
      const failed = count() - base;
      if (failed >= window.failures || (pastCap && failed > 0)) done();
    };
    if (signal.aborted) return resolve(0);
    timers.push(
      setTimeout(() => {
        pastCap = true;
        check();
      }, window.maxMs),
      setTimeout(done, window.maxMs * HARD_CAP_FACTOR),
    );
    stack.signals.on("progress", check);
    signal.addEventListener("abort", done);
    check();
  });
}
