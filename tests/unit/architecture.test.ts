import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { cruise, type ICruiseResult } from "dependency-cruiser";
import { beforeAll, describe, expect, test } from "vitest";
import { jobs } from "@/lib/jobs/registry";

// The layers of docs/architecture.md, checked on every test run with the rules in
// .dependency-cruiser.cjs (the same ones `npm run lint:deps` prints).
const root = join(import.meta.dirname, "..", "..");

let result: ICruiseResult;
beforeAll(async () => {
  const { createRequire } = await import("node:module");
  const ruleSet = createRequire(import.meta.url)(join(root, ".dependency-cruiser.cjs"));
  const previous = process.cwd();
  process.chdir(root);
  try {
    const reported = await cruise(["app", "lib", "local", "scripts", "bench", "harness"], {
      ...ruleSet.options,
      ruleSet,
      validate: true,
    });
    result = reported.output as ICruiseResult;
  } finally {
    process.chdir(previous);
  }
}, 60_000);

const violations = (rule?: string) =>
  result.summary.violations
    .filter((violation) => rule === undefined || violation.rule.name === rule)
    .map(
      (violation) =>
        `${violation.rule.name}: ${violation.from} → ${violation.to}${violation.cycle ? ` (${violation.cycle.map((step) => step.name).join(" → ")})` : ""}`,
    );

describe("dependency direction", () => {
  test("no import circles, type-only imports included", () => {
    expect(violations("no-circular")).toEqual([]);
  });

  test("the job runtime imports nothing of the app's (no domain, no jobs, no composition root)", () => {
    expect(violations("runtime-is-the-floor")).toEqual([]);
  });

  test("no folder in lib/ imports one above it: domain → jobs → flows → services.ts", () => {
    expect([
      ...violations("domain-below-jobs"),
      ...violations("jobs-below-flows"),
      ...violations("flows-below-the-root"),
    ]).toEqual([]);
  });

  test("no two folders in lib/ import each other", () => {
    const folder = (path: string) => path.match(/^lib\/([^/]+)\//)?.[1] ?? path;
    const edges = new Set<string>();
    for (const module of result.modules) {
      if (!module.source.startsWith("lib/")) continue;
      for (const dependency of module.dependencies) {
        if (!dependency.resolved.startsWith("lib/")) continue;
        const [from, to] = [folder(module.source), folder(dependency.resolved)];
        if (from !== to) edges.add(`${from} → ${to}`);
      }
    }
    const mutual = [...edges].filter((edge) => edges.has(edge.split(" → ").reverse().join(" → ")));
    expect(mutual).toEqual([]);
  });

  test("lib/ never imports app/; app/ and lib/ never import local/; bench/ never imports test helpers", () => {
    expect([...violations("lib-not-app"), ...violations("local-stands-apart"), ...violations("bench-not-tests")]).toEqual([]);
  });

  test("every rule of .dependency-cruiser.cjs holds", () => {
    expect(violations()).toEqual([]);
  });
});

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx)$/.test(name) ? [path] : [];
  });
}

test("lib/ uses Web APIs only, so every job also runs on the Edge runtime", () => {
  const offenders = sourceFiles("lib").flatMap((file) =>
    [...readFileSync(join(root, file), "utf8").matchAll(/from\s+["'](node:[^"']+)["']/g)].map((match) => `${file} → ${match[1]}`),
  );
  expect(offenders).toEqual([]);
});

test("the job runtime traces through @opentelemetry/api alone, so no SDK is bundled into a job route", () => {
  const offenders = result.modules
    .filter((module) => module.source.startsWith("lib/job-runtime/"))
    .flatMap((module) =>
      module.dependencies
        .map((dependency) => dependency.module)
        .filter(
          (name) => (name.startsWith("@opentelemetry/") && name !== "@opentelemetry/api") || name.startsWith("@vercel/otel"),
        )
        .map((name) => `${module.source} → ${name}`),
    );
  expect(offenders).toEqual([]);
});

test("each job lives in lib/jobs/<its name>.ts, so its name is written once and found at once", () => {
  const misplaced = Object.values(jobs).flatMap((job) => {
    const file = join(root, "lib", "jobs", `${job.name}.ts`);
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      return [`${job.name}: no lib/jobs/${job.name}.ts`];
    }
    return text.includes(`name: "${job.name}"`) ? [] : [`${job.name}: lib/jobs/${job.name}.ts does not define it`];
  });
  expect(misplaced).toEqual([]);
});
