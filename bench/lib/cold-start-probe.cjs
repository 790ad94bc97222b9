/**
 * Preloaded into `next start` by the cold-start bench (NODE_OPTIONS=--require).
 * Notes which files the server had required when its first HTTP request arrived
 * and when it exits, so the bench counts the chunks a route's first request
 * actually loads (handlers loaded with import() included) rather than guessing
 * them from the build; and the CPU time the process spent (all its threads) from
 * that request's arrival until its response was sent, a figure another busy
 * process on the machine disturbs far less than the wall-clock time. Writes one
 * JSON file per process; nothing else changes.
 */
const { writeFileSync } = require("node:fs");
const http = require("node:http");

const out = process.env.COLD_START_PROBE_OUT;
if (out) {
  const loaded = () => Object.keys(require.cache);
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
        firstRequest = { cpuMs: (cpu.user + cpu.system) / 1000, serverMs: Number(process.hrtime.bigint() - startedAt) / 1e6 };
      });
    }
    return emit.call(this, event, ...args);
  };
  process.on("exit", () => {
    if (atFirstRequest === undefined) return;
    writeFileSync(`${out}.${process.pid}.json`, JSON.stringify({ atFirstRequest, atExit: loaded(), firstRequest }));
  });
}
