import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { signDelivery } from "@/local/qstash/signing";
import { DEV_CURRENT_SIGNING_KEY } from "@/local/stack";
import { summarize } from "../lib/measure";
import { entryFiles, freePort, nextBuild, nextStart, routeEntryFiles, totalBytes } from "../lib/next-app";
import { formatRatio, formatValue, type Scenario, type SummaryRow } from "../lib/report";
import { startStackProcess } from "../lib/stack-process";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** Bench output only (git-ignored): the bare app's sources and both builds' products never get committed. */
const BARE_DIR = join(ROOT, "bench", ".out", "cold-start-bare");
/** Where the probe preloaded into each `next start` writes what the server had loaded (git-ignored). */
const PROBE_DIR = join(ROOT, "bench", ".out", "cold-start-probe");
const PROBE = fileURLToPath(new URL("../lib/cold-start-probe.cjs", import.meta.url));
/**
 * Pairs of samples. Single pairs spread from 0.77× to 2.54× over 5 on a quiet machine, so one stray pair moved the
 * median; 11 need three strays to move it, for about 25 s more. On a machine loaded by other work (load 6–9) even 11
 * pairs moved the median ratio by ±0.3× between runs: read this figure on a quiet machine.
 */
const REPETITIONS = 11;
const TARGET = { firstRequest: 1.1, chunks: 1.3 };
const reuseBuilds = process.argv.includes("--reuse-builds");
/** Each `next start` also writes a CPU profile of itself next to the probe's report (it slows both sides alike). */
const cpuProfiles = process.argv.includes("--cpu-profiles");

/** The baseline app: one route that verifies a QStash signature and answers, nothing else. */
function writeBareApp(): void {
  mkdirSync(join(BARE_DIR, "app", "api", "bare"), { recursive: true });
  writeFileSync(
    join(BARE_DIR, "app", "api", "bare", "route.ts"),
    `import { Receiver } from "@upstash/qstash";

export const runtime = "nodejs";

const receiver = new Receiver({
  currentSigningKey: process.env.QSTASH_CURRENT_SIGNING_KEY ?? "",
  nextSigningKey: process.env.QSTASH_NEXT_SIGNING_KEY ?? "",
});

export async function POST(request: Request): Promise<Response> {
  const body = await request.text();
  const signature = request.headers.get("upstash-signature") ?? "";
  const valid = await receiver.verify({ signature, body, url: \`\${process.env.APP_URL}/api/bare\` }).catch(() => false);
  return Response.json({ ok: valid }, { status: valid ? 200 : 401 });
}
`,
  );
  // Like the app: each route loads on its first request, nothing is preloaded behind it (ADR 0017), and Next's own
  // tracing takes @opentelemetry/api from node_modules instead of bundling it into every route (ADR 0020).
  writeFileSync(
    join(BARE_DIR, "next.config.ts"),
    `export default { poweredByHeader: false, serverExternalPackages: ["@opentelemetry/api"], experimental: { preloadEntriesOnStart: false } };\n`,
  );
  writeFileSync(
    join(BARE_DIR, "tsconfig.json"),
    JSON.stringify(
      {
        compilerOptions: {
          target: "ES2022",
          lib: ["dom", "ES2023"],
          strict: true,
          noEmit: true,
          module: "esnext",
          moduleResolution: "bundler",
          isolatedModules: true,
          jsx: "react-jsx",
          skipLibCheck: true,
          plugins: [{ name: "next" }],
        },
        include: ["**/*.ts"],
        exclude: ["node_modules", ".next"],
      },
      null,
      2,
    ),
  );
}

export const coldStartScenario: Scenario = {
  id: "cold-start",
  title: "8. Cold start: the first signed request after `next start`",
  async run() {
    if (!reuseBuilds) {
      writeBareApp();
      nextBuild(BARE_DIR);
      nextBuild(ROOT);
    }
    const stack = await startStackProcess();
    try {
      const side = (dir: string, route: string, path: string) => ({
        dir,
        route,
        path,
        samples: [] as number[],
        cpuMs: [] as number[],
        chunkBytes: [] as number[],
      });
      const sides = { bare: side(BARE_DIR, "api/bare", "/api/bare"), job: side(ROOT, "api/jobs/[job]", "/api/jobs/test") };
      let n = 0;
      rmSync(PROBE_DIR, { recursive: true, force: true });
      mkdirSync(PROBE_DIR, { recursive: true });
      const sample = async (side: keyof typeof sides) => {
        const { dir, path, route } = sides[side];
        const port = await freePort();
        const appUrl = `http://127.0.0.1:${port}`;
        const probeOut = join(PROBE_DIR, `${side}-${n}`);
        const server = await nextStart(
          dir,
          {
            ...stack.env,
            APP_URL: appUrl,
            NODE_OPTIONS: `--require ${PROBE}`,
            COLD_START_PROBE_OUT: probeOut,
            ...(cpuProfiles ? { COLD_START_PROBE_CPU_PROFILE: "1" } : {}),
          },
          port,
        );
        try {
          const url = `${appUrl}${path}`;
          const body = Buffer.from(JSON.stringify({ message: `cold start ${n}` }));
          const headers = {
            "content-type": "application/json",
            "upstash-message-id": `msg_cold_${process.pid}_${n}`,
            "upstash-retried": "0",
            "upstash-signature": signDelivery({
              key: DEV_CURRENT_SIGNING_KEY,
              url,
              body,
              nowMs: Date.now(),
              jti: `jwt_cold_${process.pid}_${n++}`,
            }),
          };
          const start = performance.now();
          const response = await fetch(url, { method: "POST", headers, body });
          await response.arrayBuffer();
          const ms = performance.now() - start;
          if (response.status !== 200) throw new Error(`${path} answered ${response.status} on a fresh start`);
          sides[side].samples.push(ms);
        } finally {
          await server.stop();
        }
        const probed = probeReport(probeOut);
        sides[side].chunkBytes.push(totalBytes([...routeEntryFiles(dir, route), ...loadedByFirstRequest(dir, probed.reports)]));
        sides[side].cpuMs.push(probed.firstRequest.cpuMs);
      };
      // ABBA, so a machine that gets busier or quieter during the run weighs on both sides alike.
      for (let rep = 0; rep < REPETITIONS; rep++) {
        const order = rep % 2 === 0 ? (["bare", "job"] as const) : (["job", "bare"] as const);
        for (const side of order) await sample(side);
      }
      const bare = summarize(sides.bare.samples);
      const job = summarize(sides.job.samples);
      const ratio = job.median / bare.median;
      const pairs = sides.job.samples.map((ms, index) => ms / sides.bare.samples[index]!);
      const cpu = { bare: summarize(sides.bare.cpuMs), job: summarize(sides.job.cpuMs) };
      const cpuRatio = cpu.job.median / cpu.bare.median;
      const cpuPairs = sides.job.cpuMs.map((ms, index) => ms / sides.bare.cpuMs[index]!);
      const chunks = { bare: summarize(sides.bare.chunkBytes).median, job: summarize(sides.job.chunkBytes).median };
      const chunkRatio = chunks.job / chunks.bare;
      const summary: SummaryRow[] = [
        {
          measure: "first signed request after `next start`",
          baseline: "bare verify route",
          figure: `${formatRatio(ratio)} (${formatValue(job.median, "ms")} vs ${formatValue(bare.median, "ms")}, medians of ${REPETITIONS}; pairs ${formatRatio(Math.min(...pairs))} – ${formatRatio(Math.max(...pairs))})`,
          target: `≤ ${TARGET.firstRequest}×`,
          status: ratio <= TARGET.firstRequest ? "PASS" : "FAIL",
        },
        {
          measure: "job-route app chunks",
          baseline: "bare verify route",
          figure: `${formatRatio(chunkRatio)} (${formatValue(chunks.job, "bytes")} vs ${formatValue(chunks.bare, "bytes")})`,
          target: `≤ ${TARGET.chunks}×`,
          status: chunkRatio <= TARGET.chunks ? "PASS" : "FAIL",
        },
      ];
      return {
        title: this.title,
        description: [
          "Production builds (`next build`), each sample a fresh `next start` on loopback: once it reports ready, one signed",
          "delivery is timed. Subject: the app's own build and its job route (`/api/jobs/test`: the `test` job runs, claims and",
          "completes against the local stack, started in its own process). Baseline: a bare app built in the bench's output folder",
          "(`bench/.out/`, never committed) with one route that only verifies the signature with the QStash `Receiver`.",
          `${REPETITIONS} samples per side in ABBA order. Chunks: the route's entry, the Turbopack runtime and the chunks the entry`,
          "loads up front, plus every other file of the app's code (`.next/server`, or one of the app's own packages left external",
          "in node_modules) the server required while answering the first request (a job's handler, loaded with `import()`), as",
          "seen by a probe preloaded into `next start`; median over the samples. The same probe reports the server's CPU time",
          "(all its threads) from the first request's arrival to its response: not a target; its pairs spread less than the",
          "wall-clock ones when other work shares the machine, though on a loaded machine it too moves between runs.",
          "`--reuse-builds` skips both builds (for iterating on the bench itself). `--cpu-profiles` has every `next start` write",
          "a CPU profile to `bench/.out/cold-start-probe/`, with the first request's start and end on the profile's clock in the",
          "probe's report, to see where a side's time goes (the profiler slows both sides, so read its figures as a profile only).",
        ].join("\n"),
        table: [
          ["Measure", "Samples", "Median", "p95"],
          [
            "Baseline: bare verify route, first request",
            String(bare.samples),
            formatValue(bare.median, "ms"),
            formatValue(bare.p95, "ms"),
          ],
          ["Subject: job route, first request", String(job.samples), formatValue(job.median, "ms"), formatValue(job.p95, "ms")],
          [
            "**Ratio** subject / baseline (medians)",
            `${REPETITIONS} pairs`,
            `**${formatRatio(ratio)}**`,
            `pairs: ${formatRatio(Math.min(...pairs))} – ${formatRatio(Math.max(...pairs))}`,
          ],
          ["Chunks: bare verify route", "", formatValue(chunks.bare, "bytes"), ""],
          ["Chunks: job route", "", formatValue(chunks.job, "bytes"), ""],
          ["**Ratio** chunks", "", `**${formatRatio(chunkRatio)}**`, ""],
          [
            "Server CPU time, first request: bare verify route",
            String(cpu.bare.samples),
            formatValue(cpu.bare.median, "ms"),
            formatValue(cpu.bare.p95, "ms"),
          ],
          [
            "Server CPU time, first request: job route",
            String(cpu.job.samples),
            formatValue(cpu.job.median, "ms"),
            formatValue(cpu.job.p95, "ms"),
          ],
          [
            "**Ratio** CPU time (medians)",
            `${REPETITIONS} pairs`,
            `**${formatRatio(cpuRatio)}**`,
            `pairs: ${formatRatio(Math.min(...cpuPairs))} – ${formatRatio(Math.max(...cpuPairs))}`,
          ],
        ],
        targets: summary.map((row) => ({
          label: `${row.measure}: ${row.figure} (target ${row.target})`,
          pass: row.status === "PASS",
        })),
        summary,
        notes: [],
      };
    } finally {
      await stack.stop();
    }
  },
};

/**
 * The packages the app itself depends on, other than the framework: if one of them is left external (required from
 * node_modules rather than bundled into a chunk), its files still count as the app's code.
 */
const APP_PACKAGES = Object.keys(
  (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { dependencies: Record<string, string> }).dependencies,
).filter((name) => !["next", "react", "react-dom"].includes(name));

/**
 * The app's code the server required between its first request arriving and its exit: compiled files under
 * `.next/server/` (a job's handler chunk, loaded with `import()`) and files of the app's own packages in node_modules.
 */
function loadedByFirstRequest(dir: string, reports: ProbeReport[]): string[] {
  const server = join(dir, ".next", "server");
  // instrumentation.ts is the server's, not the route's: both builds have it (Next finds the app's from the bare
  // app's folder too) and load it on the first request alike, so it is timed on both sides but counted on neither.
  const instrumentation = new Set(entryFiles(join(server, "instrumentation.js"), server));
  const isAppCode = (file: string) =>
    !instrumentation.has(file) &&
    (file.startsWith(server) || APP_PACKAGES.some((name) => file.includes(`/node_modules/${name}/`)));
  return reports.flatMap(({ atFirstRequest, atExit }) => {
    const before = new Set(atFirstRequest);
    return atExit.filter((file) => isAppCode(file) && !before.has(file));
  });
}

/** What bench/lib/cold-start-probe.cjs wrote for one `next start` (one file per process). */
interface ProbeReport {
  atFirstRequest: string[];
  atExit: string[];
  firstRequest?: { cpuMs: number; serverMs: number; startedAtUs: number; finishedAtUs: number };
}

/** The probe's reports for one sample, and the first request's figures from the process that answered it. */
function probeReport(probeOut: string): { reports: ProbeReport[]; firstRequest: { cpuMs: number; serverMs: number } } {
  const base = probeOut.split("/").pop()!;
  const reports = readdirSync(PROBE_DIR)
    .filter((name) => name.startsWith(`${base}.`) && name.endsWith(".json"))
    .map((name) => JSON.parse(readFileSync(join(PROBE_DIR, name), "utf8")) as ProbeReport);
  const firstRequest = reports.find((report) => report.firstRequest)?.firstRequest;
  if (!firstRequest) throw new Error(`the probe reported no answered request for ${probeOut}`);
  return { reports, firstRequest };
}
