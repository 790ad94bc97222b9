import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { signDelivery } from "@/local/qstash/signing";
import { DEV_CURRENT_SIGNING_KEY } from "@/local/stack";
import { summarize } from "../lib/measure";
import { freePort, nextBuild, nextStart, routeChunkBytes } from "../lib/next-app";
import { formatRatio, formatValue, type Scenario, type SummaryRow } from "../lib/report";
import { startStackProcess } from "../lib/stack-process";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** Bench output only (git-ignored): the bare app's sources and both builds' products never get committed. */
const BARE_DIR = join(ROOT, "bench", ".out", "cold-start-bare");
const REPETITIONS = 5;
const TARGET = { firstRequest: 1.1, chunks: 1.3 };
const reuseBuilds = process.argv.includes("--reuse-builds");

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
  writeFileSync(join(BARE_DIR, "next.config.ts"), `export default { poweredByHeader: false };\n`);
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
      const sides = {
        bare: { dir: BARE_DIR, path: "/api/bare", samples: [] as number[] },
        job: { dir: ROOT, path: "/api/jobs/test", samples: [] as number[] },
      };
      let n = 0;
      const sample = async (side: keyof typeof sides) => {
        const { dir, path } = sides[side];
        const port = await freePort();
        const appUrl = `http://127.0.0.1:${port}`;
        const server = await nextStart(dir, { ...stack.env, APP_URL: appUrl }, port);
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
      const chunks = { bare: routeChunkBytes(BARE_DIR, "api/bare"), job: routeChunkBytes(ROOT, "api/jobs/[job]") };
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
          `${REPETITIONS} samples per side in ABBA order. Chunks: the route's entry plus every \`.next/server\` chunk its trace lists.`,
          "`--reuse-builds` skips both builds (for iterating on the bench itself).",
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
