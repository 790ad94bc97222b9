import { Redis as DirectRedis } from "ioredis";
import { createIdempotencyGuard, DONE_TTL_MS, json } from "@/lib/job-runtime";
import { parseCommandStats } from "@/harness/command-stats";
import { findRedisServerBinary, startRedisServer } from "@/local/redis/redis-server";
import { delivered, startJobRoute, withQuietLogs, type JobRoute } from "../lib/fixtures";
import { compare, cpuTimed, summarize, timed, type Comparison } from "../lib/measure";
import { comparisonRows, COMPARISON_HEADER, formatRatio, type Scenario, type SummaryRow } from "../lib/report";

const TARGET_RATIO = 1.05;
const OPTIONS = { warmup: 50, rounds: 8, perRound: 50, budgetMs: 20_000 };
const COUNTED = 20;

/**
 * The floor a job route can't go below: verify the signature, take the key
 * (SET NX PX), mark it done (SET). Same client as the route's claim (its small
 * REST client, one command per request), same REST server, same Redis.
 */
async function bareDelivery(route: JobRoute, request: Request): Promise<void> {
  const body = await request.text();
  await route.verify({ signature: request.headers.get("upstash-signature"), body, expectedUrl: route.url });
  const key = `bench:bare:${request.headers.get("upstash-message-id")}`;
  if ((await route.scripts.command(["set", key, "running:lease", "nx", "px", 90_000])) === null)
    throw new Error("bare key taken");
  await route.scripts.command(["set", key, "done:lease", "px", DONE_TTL_MS]);
}

/**
 * The floor plus what the lease itself costs, and nothing of the route: verify, then the
 * idempotency guard's claim and complete scripts over the route's own script client.
 * Between this and the floor is Lua and the run record; between this and the route, the route's code.
 */
async function scriptsOnlyDelivery(route: JobRoute, request: Request): Promise<void> {
  const body = await request.text();
  const token = await route.verify({ signature: request.headers.get("upstash-signature"), body, expectedUrl: route.url });
  const messageId = request.headers.get("upstash-message-id") ?? "";
  const now = Date.now();
  const guard = createIdempotencyGuard(route.scripts, Date.now);
  const claim = await guard.claim({
    jobName: "test",
    idempotencyKey: `test/${messageId}`,
    messageId,
    leaseMs: 90_000,
    deadlineMs: now + 60_000,
    nowMs: now,
    leaseId: crypto.randomUUID(),
    token,
  });
  if (claim.state !== "claimed") throw new Error(`scripts-only claim answered ${claim.state}`);
  await claim.lease.complete({ echoed: JSON.parse(body).message });
}

/**
 * CPU µs of one 200 answer by itself: the `Response` every delivery returns, its JSON body unread.
 * Node makes a body stream for every `Response` with a body, so this part of the route's excess is
 * the price of answering at all. Median of 5 rounds of 2,000 answers, no I/O.
 */
function answerCpuMicros(): number {
  const perRound: number[] = [];
  for (let round = 0; round < 5; round++) {
    const start = process.cpuUsage();
    for (let i = 0; i < 2_000; i++) {
      json(200, { ok: true, job: "test", messageId: `msg_answer_${i}`, result: { echoed: "hello from the benchmark" } });
    }
    const { user, system } = process.cpuUsage(start);
    perRound.push((user + system) / 2_000);
  }
  return summarize(perRound).median;
}

/** Message ids stay fresh across every measurement on one route. */
let n = 0;

/**
 * The route's side is timed until it has its answer. Reading the answer's body is the
 * caller's work (Next.js writes it to the socket), so it happens after the clock stops:
 * every answer is still checked to be a 200 for a fresh delivery.
 */
async function routeSample(route: JobRoute, time: typeof timed): Promise<number> {
  const request = route.request(`msg_route_${n++}`);
  let answer: Response | undefined;
  const ms = await time(async () => {
    answer = await route.answer(request);
  });
  if ((await delivered(answer!)).duplicate) throw new Error("a fresh delivery answered as a duplicate");
  return ms;
}

async function measure(route: JobRoute, time: typeof timed = timed): Promise<Comparison> {
  return withQuietLogs(() =>
    compare(
      async () => {
        const request = route.request(`msg_bare_${n++}`);
        return time(() => bareDelivery(route, request));
      },
      () => routeSample(route, time),
      OPTIONS,
    ),
  );
}

/** Diagnostic: the floor against the floor plus the lease's two scripts, in CPU time. */
async function measureScripts(route: JobRoute): Promise<Comparison> {
  return withQuietLogs(() =>
    compare(
      async () => {
        const request = route.request(`msg_bare_${n++}`);
        return cpuTimed(() => bareDelivery(route, request));
      },
      async () => {
        const request = route.request(`msg_scripts_${n++}`);
        return cpuTimed(() => scriptsOnlyDelivery(route, request));
      },
      OPTIONS,
    ),
  );
}

/**
 * What reaches redis-server behind the proxy per fresh delivery, by its own INFO commandstats:
 * once it holds the lease's scripts they should arrive as EVALSHA, as on hosted Upstash, not as
 * the whole text again. Also redis-server's own time per delivery, over all commands.
 */
async function countAtRedisServer(
  route: JobRoute,
  redisUrl: string,
): Promise<{ perCommand: string; eval: number; usec: number }> {
  const direct = new DirectRedis(redisUrl, { lazyConnect: true });
  await direct.connect();
  try {
    return await withQuietLogs(async () => {
      for (let i = 0; i < 5; i++) await route.deliver(route.request(`msg_server_warm_${n++}`));
      await direct.config("RESETSTAT");
      for (let i = 0; i < COUNTED; i++) await route.deliver(route.request(`msg_server_${n++}`));
      const stats = parseCommandStats(await direct.info("commandstats"));
      const perDelivery = (name: string) => (stats.get(name)?.calls ?? 0) / COUNTED;
      return {
        perCommand: ["eval", "evalsha"]
          .filter((name) => stats.has(name))
          .map((name) => `${name.toUpperCase()} ${perDelivery(name).toFixed(1)}`)
          .join(", "),
        eval: perDelivery("eval"),
        usec:
          [...stats]
            .filter(([name]) => name !== "info" && name !== "config|resetstat")
            .reduce((sum, [, { usec }]) => sum + usec, 0) / COUNTED,
      };
    });
  } finally {
    direct.disconnect();
  }
}

/** Round trips per delivery as the Redis REST server sees them: a fresh instance's first, then with the scripts loaded. */
async function countRoundTrips(): Promise<{
  cold: number;
  coldCommands: string;
  fresh: number;
  duplicate: number;
  commands: string;
}> {
  const route = await startJobRoute({ countRoundTrips: true });
  const proxy = route.proxy!;
  const perDelivery = (byCommand: Record<string, number>, deliveries: number) =>
    Object.entries(byCommand)
      .map(([name, count]) => `${name} ${(count / deliveries).toFixed(1)}`)
      .join(", ");
  try {
    return await withQuietLogs(async () => {
      // A fresh instance against a Redis that has never seen the scripts: its very first delivery.
      await route.deliver(route.request("msg_count_cold"));
      const cold = proxy.counts();
      for (let i = 0; i < 5; i++) await route.deliver(route.request(`msg_count_warm_${i}`));
      proxy.reset();
      for (let i = 0; i < COUNTED; i++) await route.deliver(route.request(`msg_count_${i}`));
      const fresh = proxy.counts();
      proxy.reset();
      for (let i = 0; i < COUNTED; i++) {
        const { duplicate } = await route.deliver(route.request(`msg_count_${i}`));
        if (!duplicate) throw new Error("a redelivery ran again");
      }
      const duplicate = proxy.counts();
      return {
        cold: cold.requests,
        coldCommands: perDelivery(cold.byCommand, 1),
        fresh: fresh.requests / COUNTED,
        duplicate: duplicate.requests / COUNTED,
        commands: perDelivery(fresh.byCommand, COUNTED),
      };
    });
  } finally {
    await route.close();
  }
}

export const routeFloorScenario: Scenario = {
  id: "route-floor",
  title: "9. Job route against its floor",
  async run() {
    const rows = [COMPARISON_HEADER];
    const summary: SummaryRow[] = [];
    const notes: string[] = [];
    const figures: string[] = [];
    const pass: boolean[] = [];
    const record = (result: Comparison, backend: string) => {
      rows.push(
        ...comparisonRows(
          result,
          {
            baseline: `Baseline: verify + SET NX PX + SET (${backend})`,
            subject: `Subject: \`handleJobRequest\`, first delivery (${backend})`,
          },
          "ms",
        ),
      );
      figures.push(
        `${formatRatio(result.ratio)} ${backend} (rounds ${formatRatio(result.roundRatios.min)} – ${formatRatio(result.roundRatios.max)}, ${result.rounds} rounds)`,
      );
      pass.push(result.ratio <= TARGET_RATIO);
    };

    const embedded = await startJobRoute();
    let cpu: Comparison;
    let scripts: Comparison;
    try {
      record(await measure(embedded), "embedded engine");
      // Route, REST server and engine all run in this process: its CPU time is the whole work.
      cpu = await measure(embedded, cpuTimed);
      scripts = await measureScripts(embedded);
    } finally {
      await embedded.close();
    }
    rows.push(
      ...comparisonRows(
        cpu,
        {
          baseline: "Diagnostic: CPU time of the baseline (embedded engine, whole process)",
          subject: "Diagnostic: CPU time of `handleJobRequest` (embedded engine, whole process)",
          ratio: "Ratio CPU time subject / baseline (medians)",
        },
        "ms",
      ),
    );
    rows.push(
      ...comparisonRows(
        scripts,
        {
          baseline: "Diagnostic: CPU time of the baseline (embedded engine, whole process)",
          subject: "Diagnostic: CPU time of verify + the claim and complete scripts, no route code (embedded engine)",
          ratio: "Ratio CPU time scripts only / baseline (medians)",
        },
        "ms",
      ),
    );
    notes.push(
      `CPU time per delivery on the embedded engine (route, REST server and engine together, immune to waiting for a core): ${formatRatio(cpu.ratio)} the baseline's (rounds ${formatRatio(cpu.roundRatios.min)} – ${formatRatio(cpu.roundRatios.max)}).`,
      `Of that, the lease's scripts alone (verify + claim + complete, no route code): ${formatRatio(scripts.ratio)} the baseline's (rounds ${formatRatio(scripts.roundRatios.min)} – ${formatRatio(scripts.roundRatios.max)}); the rest is the route's own code.`,
    );
    let atServer: Awaited<ReturnType<typeof countAtRedisServer>> | undefined;
    if (findRedisServerBinary()) {
      const server = await startRedisServer();
      try {
        const proxied = await startJobRoute({ redisUrl: server.url });
        try {
          record(await measure(proxied), "proxy → redis-server");
          atServer = await countAtRedisServer(proxied, server.url);
        } finally {
          await proxied.close();
        }
      } finally {
        await server.stop();
      }
    } else {
      notes.push("`redis-server` is not on PATH: the proxied rows were skipped (`apt-get install -y redis-server`).");
      pass.push(false);
    }
    const trips = await countRoundTrips();
    const answerUs = answerCpuMicros();
    const excessUs = (cpu.subject.median - cpu.baseline.median) * 1_000;
    notes.push(
      `One 200 answer alone (the \`Response\` the route returns, its JSON body unread): ${answerUs.toFixed(0)} µs of CPU, ${excessUs > 0 ? `${Math.round((100 * answerUs) / excessUs)}% of` : "against"} the route's CPU excess over the baseline (${excessUs.toFixed(0)} µs, medians).`,
    );
    summary.push(
      {
        measure: "job route, new message, embedded / proxied",
        baseline: "verify + `SET NX PX` + `SET` route",
        figure: figures.join("; "),
        target: `≤ ${TARGET_RATIO}× on both`,
        status: pass.every(Boolean) ? "PASS" : "FAIL",
      },
      {
        measure: "Redis round trips per successful / duplicate delivery (counted at the server)",
        baseline: "—",
        figure: `${trips.fresh.toFixed(2)} / ${trips.duplicate.toFixed(2)} (${COUNTED} deliveries each; commands per success: ${trips.commands})`,
        target: "2 / 1",
        status: trips.fresh <= 2 && trips.duplicate <= 1 ? "PASS" : "FAIL",
      },
      {
        measure: "Redis round trips of a fresh instance's first delivery, scripts unknown to Redis",
        baseline: "—",
        figure: `${trips.cold} (${trips.coldCommands})`,
        target: "2",
        status: trips.cold <= 2 ? "PASS" : "FAIL",
      },
    );
    if (atServer)
      summary.push({
        measure: "Script commands reaching redis-server per proxied delivery, scripts loaded (its INFO commandstats)",
        baseline: "—",
        figure: `${atServer.perCommand} (${COUNTED} deliveries; redis-server's own time ${atServer.usec.toFixed(0)} µs per delivery)`,
        target: "no EVAL",
        status: atServer.eval === 0 ? "PASS" : "FAIL",
      });
    return {
      title: this.title,
      description: [
        "In process, one signed delivery of the `test` job through `handleJobRequest` (verify, zod, claim, handler, complete)",
        "against the local Redis REST server, on its embedded engine and as a proxy to a throwaway `redis-server`.",
        "Baseline: the least any exactly-once route must do over the same client and server: verify the signature,",
        "`SET key NX PX` to take it, `SET key` to mark it done. Fresh message ids on both sides.",
        `Round trips: a counting proxy in front of the REST server sees every HTTP request the route makes over ${COUNTED}`,
        "fresh deliveries and their redeliveries, after a warm-up (scripts already loaded), and the very first delivery",
        "of a fresh instance against a REST server that has never seen the scripts.",
        "Behind the proxy, redis-server's own INFO commandstats count which script commands reach it over",
        `${COUNTED} fresh deliveries once it holds the scripts (EVALSHA, as on hosted Upstash, not the whole text again).`,
        "The route is timed until it has its answer; the answer's body is read and checked (a 200, not a duplicate) after the clock stops.",
        "Diagnostic rows: the same comparison on the embedded engine timed in CPU time of the process instead of wall time,",
        "and the baseline against verify + the idempotency guard's claim and complete scripts without the route around them.",
      ].join("\n"),
      table: rows,
      targets: summary.map((row) => ({
        label: `${row.measure}: ${row.figure} (target ${row.target})`,
        pass: row.status === "PASS",
      })),
      summary,
      notes,
    };
  },
};
