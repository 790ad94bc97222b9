/**
 * Preloaded into `next start` by the cold-start bench (NODE_OPTIONS=--require).
 * Notes which files the server had required when its first HTTP request arrived
 * and when it exits, so the bench counts the chunks a route's first request
 * actually loads (handlers loaded with import() included) rather than guessing
 * them from the build; and the CPU time the process spent (all its threads) from
 * that request's arrival until its response was sent, a figure another busy
 * process on the machine disturbs less than the wall-clock time. Writes one
 * JSON file per process; nothing else changes.
 *
 * With COLD_START_PROBE_CPU_PROFILE=1 it also records a V8 CPU profile of the
 * whole process (`<out>.<pid>.cpuprofile`, for Chrome DevTools or speedscope)
 * and the first request's arrival and end on the profile's clock (monotonic µs),
 * so the profile can be cut to the timed window: where the time went, not just how much.
 */
const { writeFileSync } = require("node:fs");
const http = require("node:http");

const out = process.env.COLD_START_PROBE_OUT;
if (out) {
  const loaded = () => Object.keys(require.cache);
  const profiler = process.env.COLD_START_PROBE_CPU_PROFILE === "1" ? startProfiler() : undefined;
  let atFirstRequest;
  let firstRequest;
  const emit = http.Server.prototype.emit;
  http.Server.prototype.emit = function (event, ...args) {
    if (event === "request" && atFirstRequest === undefined) {
      atFirstRequest = loaded();
      const cpuAtStart = process.cpuUsage();
      const startedAt = process.hrtime.bigint();
      args[1].once("finish", () => {
        const cpu = process.cpuUsage(cpuAtStart);
        const finishedAt = process.hrtime.bigint();
        firstRequest = {
          cpuMs: (cpu.user + cpu.system) / 1000,
          serverMs: Number(finishedAt - startedAt) / 1e6,
          // V8 profiles time samples in µs on the same monotonic clock as hrtime.
          startedAtUs: Number(startedAt / 1000n),
          finishedAtUs: Number(finishedAt / 1000n),
        };
      });
    }
    return emit.call(this, event, ...args);
  };
  process.on("exit", () => {
    if (atFirstRequest === undefined) return;
    writeFileSync(`${out}.${process.pid}.json`, JSON.stringify({ atFirstRequest, atExit: loaded(), firstRequest }));
    // An in-process inspector session answers synchronously, so the profile is written before the process ends.
    profiler?.post("Profiler.stop", (error, result) => {
      if (!error) writeFileSync(`${out}.${process.pid}.cpuprofile`, JSON.stringify(result.profile));
    });
  });
}

function startProfiler() {
  const { Session } = require("node:inspector");
  const session = new Session();
  session.connect();
  session.post("Profiler.enable");
  // 250 µs rather than the default 1 ms: a first request's phases last a few ms each.
  session.post("Profiler.setSamplingInterval", { interval: 250 });
  session.post("Profiler.start");
  return session;
}
