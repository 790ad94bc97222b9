/**
 * `npm run bench`: runs every scenario in bench/scenarios/, prints PASS/FAIL per
 * target and writes docs/benchmarks.md. Exit code 0 unless `--strict` and a
 * target failed (or a scenario crashed). `--only=job-route,verify` runs a subset
 * and leaves the doc alone.
 */
import { writeFileSync } from "node:fs";
import { arch, cpus, loadavg, release, totalmem, type } from "node:os";
import { performance } from "node:perf_hooks";
import { duplicateScenario } from "./scenarios/duplicate";
import { embeddedRedisScenario } from "./scenarios/embedded-redis";
import { endToEndScenario } from "./scenarios/end-to-end";
import { emailBurstScenario } from "./scenarios/email-burst";
import { enqueueScenario } from "./scenarios/enqueue";
import { jobRouteScenario } from "./scenarios/job-route";
import { localStackScenario } from "./scenarios/local-stack";
import { qstashMemoryScenario } from "./scenarios/qstash-memory";
import { coldStartScenario } from "./scenarios/cold-start";
import { routeFloorScenario } from "./scenarios/route-floor";
import { memoryScenario } from "./scenarios/memory";
import { verifyScenario } from "./scenarios/verify";
import { formatValue, markdownTable, type Scenario, type ScenarioResult, type SummaryRow } from "./lib/report";

const SCENARIOS: Scenario[] = [
  jobRouteScenario,
  verifyScenario,
  emailBurstScenario,
  duplicateScenario,
  endToEndScenario,
  memoryScenario,
  embeddedRedisScenario,
  localStackScenario,
  qstashMemoryScenario,
  coldStartScenario,
  routeFloorScenario,
  enqueueScenario,
];
/** Every scenario bounds itself; this only catches a hang nobody foresaw. */
const WATCHDOG_MS = 30 * 60_000;
const DOC = new URL("../docs/benchmarks.md", import.meta.url);

const args = process.argv.slice(2);
const strict = args.includes("--strict");
const only = args
  .find((arg) => arg.startsWith("--only="))
  ?.slice("--only=".length)
  .split(",");
const selected = only ? SCENARIOS.filter((scenario) => only.includes(scenario.id)) : SCENARIOS;
if (selected.length === 0) {
  console.error(`no scenario matches --only; ids: ${SCENARIOS.map((scenario) => scenario.id).join(", ")}`);
  process.exit(2);
}

setTimeout(() => {
  console.error(`bench: still running after ${WATCHDOG_MS / 1000} s, giving up`);
  process.exit(1);
}, WATCHDOG_MS).unref();

const machine = {
  cpu: cpus()[0]?.model.trim() ?? "unknown",
  cores: cpus().length,
  memory: formatValue(totalmem(), "bytes"),
  node: process.version,
  os: `${type()} ${release()} (${arch()})`,
  load: loadavg()
    .map((value) => value.toFixed(2))
    .join(", "),
  date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
};

const started = performance.now();
const results: ScenarioResult[] = [];
for (const scenario of selected) {
  console.log(`\n▶ ${scenario.title}`);
  const t0 = performance.now();
  let result: ScenarioResult;
  try {
    result = await scenario.run();
  } catch (error) {
    console.error(error);
    const reason = error instanceof Error ? error.message : String(error);
    result = {
      title: scenario.title,
      description: "",
      table: [],
      notes: [],
      skipped: `crashed: ${reason}`,
      targets: [{ label: "scenario completed", pass: false }],
    };
  }
  results.push(result);
  if (result.skipped) console.log(`  skipped: ${result.skipped}`);
  if (result.table.length) console.log(indent(markdownTable(result.table)));
  for (const target of result.targets) console.log(`  ${target.pass ? "PASS" : "FAIL"}  ${target.label}`);
  for (const note of result.notes) console.log(`  note: ${note}`);
  console.log(`  (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}
const totalSeconds = (performance.now() - started) / 1000;

const summaryRows = results.flatMap((result) => result.summary ?? []);
const summaryTable = markdownTable([
  ["Measure", "Baseline (same run)", "Now", "Target", "Result"],
  ...summaryRows.map((row: SummaryRow) => [
    row.measure,
    row.baseline,
    row.figure,
    row.target,
    row.status === "FAIL" ? "**FAIL**" : row.status,
  ]),
]);
if (summaryRows.length) console.log(`\nTargets\n${indent(summaryTable)}`);

const targets = results.flatMap((result) => result.targets);
const failed = targets.filter((target) => !target.pass).length;
console.log(`\n${targets.length - failed}/${targets.length} targets passed in ${totalSeconds.toFixed(0)} s`);

if (!only) {
  writeFileSync(DOC, renderDoc(results, totalSeconds));
  console.log("wrote docs/benchmarks.md");
}
process.exit(strict && failed > 0 ? 1 : 0);

function indent(text: string) {
  return text.replace(/^/gm, "  ");
}

function renderDoc(results: ScenarioResult[], seconds: number): string {
  const summary = results.flatMap((result) =>
    result.targets.map((target) => `| ${result.title} | ${target.label} | ${target.pass ? "PASS" : "**FAIL**"} |`),
  );
  const sections = results.map((result) =>
    [
      `## ${result.title}`,
      result.description,
      result.skipped ? `**Skipped:** ${result.skipped}` : markdownTable(result.table),
      [
        ...result.targets.map((target) => `- ${target.pass ? "PASS" : "**FAIL**"}: ${target.label}`),
        ...result.notes.map((note) => `- ${note}`),
      ].join("\n"),
    ]
      .filter(Boolean)
      .join("\n\n"),
  );
  return `${[
    "# Benchmarks",
    "_Written by `npm run bench` (`bench/run.ts`); edit the scenarios, not this file._",
    [
      "Every figure below comes from one run on the machine described here. Absolute timings only",
      "describe that machine at that moment; the **ratios** against a baseline measured in the same run",
      "are what the targets judge, because the machine is shared and noisy.",
    ].join("\n"),
    markdownTable([
      ["Machine", ""],
      ["Date", machine.date],
      ["CPU", `${machine.cpu} (${machine.cores} cores)`],
      ["Memory", machine.memory],
      ["Node.js", machine.node],
      ["OS", machine.os],
      ["Load average at start (1, 5, 15 min)", machine.load],
      ["Duration of the run", `${seconds.toFixed(0)} s`],
    ]),
    "## Targets",
    summaryRows.length ? summaryTable : "",
    "### Every check",
    summary.length ? ["| Scenario | Target | Result |", "| --- | --- | --- |", ...summary].join("\n") : "No targets ran.",
    "## Method",
    [
      "- **Baseline in the same run.** Each scenario measures a baseline beside its subject and reports",
      "  the ratio of the medians (subject / baseline).",
      "- **Warm-up** samples of both sides are thrown away first (JIT, keep-alive connections, caches).",
      "- **Interleaved rounds** in ABBA order (baseline then subject, then subject then baseline, …), so",
      "  drift in the machine's speed hits both sides alike. The spread of the per-round ratios is shown",
      "  next to each ratio: a wide spread means a busy machine.",
      "- **Median and p95** (nearest rank) of all samples after warm-up.",
      "- **Bounded**: every loop stops at a sample count or a time budget, whichever comes first, so the",
      "  run stays around two minutes; a scenario cut short by its budget shows fewer samples.",
      "- Everything runs in one Node.js process; servers listen on 127.0.0.1 on ephemeral ports. The",
      "  route's per-delivery log lines are silenced while measuring (the terminal would be measured too).",
    ].join("\n"),
    ...sections,
    "## Running it",
    [
      "```sh",
      "npm run bench                         # all scenarios, rewrites this file",
      "npm run bench -- --strict             # exit code 1 when a target fails",
      "npm run bench -- --only=job-route,verify   # a subset, printed only",
      "```",
      "",
      `Scenario ids: ${SCENARIOS.map((scenario) => `\`${scenario.id}\``).join(", ")}. The real-Redis rows of scenario 1`,
      "need `redis-server` on PATH (`apt-get install -y redis-server`).",
    ].join("\n"),
  ].join("\n\n")}\n`;
}
