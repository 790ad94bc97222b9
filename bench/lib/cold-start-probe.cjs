/**
 * Preloaded into `next start` by the cold-start bench (NODE_OPTIONS=--require).
 * Notes which files the server had required when its first HTTP request arrived
 * and when it exits, so the bench counts the chunks a route's first request
 * actually loads (handlers loaded with import() included) rather than guessing
 * them from the build. Writes one JSON file per process; nothing else changes.
 */
const { writeFileSync } = require("node:fs");
const http = require("node:http");

const out = process.env.COLD_START_PROBE_OUT;
if (out) {
  const loaded = () => Object.keys(require.cache);
  let atFirstRequest;
  const emit = http.Server.prototype.emit;
  http.Server.prototype.emit = function (event, ...args) {
    if (event === "request" && atFirstRequest === undefined) atFirstRequest = loaded();
    return emit.call(this, event, ...args);
  };
  process.on("exit", () => {
    if (atFirstRequest === undefined) return;
    writeFileSync(`${out}.${process.pid}.json`, JSON.stringify({ atFirstRequest, atExit: loaded() }));
  });
}
